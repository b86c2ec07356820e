package dev.dpo4j.core.distributed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CollectivesTest {

    private static final RankEnvironment TWO = RankEnvironment.loopback(0, 2, 29500);

    @Test
    void aSingleRankSumsNothingAndCopiesShards() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu());
                Collectives one = Collectives.connect(RankEnvironment.single(), Device.cpu(), Duration.ofSeconds(1))) {
            assertThat(one.worldSize()).isEqualTo(1);
            NDArray buffer = m.create(new float[] {1, 2, 3});
            one.allReduceSum(buffer);
            assertThat(buffer.toFloatArray()).containsExactly(1, 2, 3);
            NDArray shard = m.zeros(new ai.djl.ndarray.types.Shape(3));
            one.reduceScatterSum(m.create(new float[] {4, 5, 6}), shard);
            assertThat(shard.toFloatArray()).containsExactly(4, 5, 6);
            NDArray output = m.zeros(new ai.djl.ndarray.types.Shape(1, 3));
            one.allGather(buffer, output);
            assertThat(output.toFloatArray()).containsExactly(1, 2, 3);
            assertThat(one.allGather(new double[] {7})).containsExactly(7);
            assertThatThrownBy(() -> one.allGather(buffer, m.zeros(new ai.djl.ndarray.types.Shape(4))))
                    .hasMessageContaining("must hold as many elements");
            assertThatThrownBy(() -> one.broadcast(buffer, 1)).hasMessageContaining("root 1");
        }
    }

    @Test
    void noProviderForTheDeviceListsThoseFound() {
        CollectivesProvider cpuOnly = new CpuOnly();
        assertThatThrownBy(() -> Providers.forDevice(Device.gpu(0), List.of(cpuOnly)))
                .isInstanceOf(CollectivesException.class)
                .hasMessageStartingWith("no collective library for gpu(0): found fake (cpu only); add "
                        + "dev.dpo4j:dpo-collectives");
        assertThat(Providers.forDevice(Device.cpu(), List.of(cpuOnly))).isSameAs(cpuOnly);
    }

    @Test
    void withoutDpoCollectivesNothingIsFound() {
        assertThatThrownBy(() -> Collectives.connect(TWO, Device.cpu(), Duration.ofSeconds(1)))
                .isInstanceOf(CollectivesException.class)
                .hasMessageStartingWith("no collective library for cpu(): found none; add dev.dpo4j:dpo-collectives");
    }

    private static final class CpuOnly implements CollectivesProvider {
        @Override
        public String name() {
            return "fake";
        }

        @Override
        public boolean supports(Device device) {
            return !device.isGpu();
        }

        @Override
        public Collectives connect(RankEnvironment environment, Device device, Duration timeout) {
            throw new UnsupportedOperationException();
        }
    }
}
