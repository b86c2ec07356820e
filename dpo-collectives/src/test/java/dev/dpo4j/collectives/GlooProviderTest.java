package dev.dpo4j.collectives;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.dpo4j.core.distributed.Collectives;
import dev.dpo4j.core.distributed.CollectivesException;
import dev.dpo4j.core.distributed.CollectivesProvider;
import dev.dpo4j.core.distributed.RankEnvironment;
import java.time.Duration;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class GlooProviderTest {

    @Test
    void glooIsAServiceForHostArraysOnly() {
        ThreadRanks.assumeGloo();
        assertThat(ServiceLoader.load(CollectivesProvider.class).stream().map(p -> p.get().name())).contains("gloo");
        GlooProvider gloo = new GlooProvider();
        assertThat(gloo.supports(Device.cpu())).isTrue();
        assertThat(gloo.supports(Device.gpu(0))).isFalse();
    }

    @Test
    void noLibraryForAGpuSaysWhatWasFound() {
        ThreadRanks.assumeGloo();
        assertThatThrownBy(() -> Collectives.connect(RankEnvironment.loopback(0, 2, 29500), Device.gpu(0),
                Duration.ofSeconds(1))).isInstanceOf(CollectivesException.class)
                .hasMessageStartingWith("no collective library for gpu(0): found gloo (cpu only); add "
                        + "dev.dpo4j:dpo-collectives");
    }

    @Test
    void aWorldOfOneNeedsNoLibrary() {
        try (Collectives one = Collectives.connect(RankEnvironment.single(), Device.gpu(0), Duration.ofSeconds(1))) {
            assertThat(one.worldSize()).isEqualTo(1);
        }
    }
}
