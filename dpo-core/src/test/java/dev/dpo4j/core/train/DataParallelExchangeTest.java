package dev.dpo4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.dpo4j.api.loss.Scalars;
import dev.dpo4j.core.TinyModels;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.RandomInit;
import dev.dpo4j.core.optim.AdamW;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The two exchanges of {@link DataParallel}, with runs far smaller than the tensors so that every cut is taken. */
class DataParallelExchangeTest {

    private NDManager manager;
    private CausalLm policy;
    private AdamW optimizer;
    private PolicyUpdater updater;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager(Device.cpu());
        policy = RandomInit.create(TinyModels.config("qwen2", 50, false), manager, 4, 0.1);
        optimizer = new AdamW(manager, policy.parameters(), 0.9, 0.999, 1e-8, 0.01);
        updater = new PolicyUpdater(policy, optimizer, DataType.FLOAT16, 1.0, manager);
    }

    @AfterEach
    void tearDown() {
        updater.close();
        optimizer.close();
        policy.close();
        manager.close();
    }

    @Test
    void runsCoverEveryMemberOnceInOrder() {
        AdamW.FlatGroup group = new AdamW.FlatGroup(List.of("a", "b", "c", "d", "e"), List.of(5L, 3L, 10L, 2L, 2L),
                null, null);
        List<long[]> runs = new ArrayList<>();
        DataParallel.forEachRun(group, 6, (from, to, offset, length) -> runs.add(new long[] {from, to, offset,
                length}));
        assertThat(runs).containsExactly(new long[] {0, 2, 0, 8}, new long[] {2, 3, 8, 10}, new long[] {3, 5, 18, 4});
    }

    @Test
    void mirrorsStartAsTheMastersAndGradientsAddUpOnTheFirstDevice() {
        try (DataParallel parallel = new DataParallel(List.of(Device.cpu(), Device.cpu(), Device.cpu()), manager,
                updater, DataType.FLOAT16, 500)) {
            Map<String, NDArray> masters = policy.parameters();
            for (DataParallel.Worker worker : parallel.workers().subList(1, 3)) {
                worker.mirrors().forEach((name, mirror) -> {
                    assertThat(mirror.getDataType()).isEqualTo(DataType.FLOAT16);
                    assertThat(mirror.toType(DataType.FLOAT32, false).toFloatArray())
                            .containsExactly(masters.get(name).toFloatArray(), within(1e-3f));
                });
                // gradient of sum(w * (index + 1)) is index + 1 everywhere
                try (Autograd recording = Autograd.record()) {
                    worker.mirrors().values().forEach(m -> Autograd.backward(m.mul(Scalars.of(m,
                            worker.index() + 1)).sum()));
                }
            }
            parallel.reduceGradients(parallel.workers());
            for (AdamW.FlatGroup group : optimizer.flatGroups()) {
                assertThat(group.gradients().toFloatArray()).containsOnly(5f); // 2 + 3
            }
            parallel.workers().get(1).mirrors().values().forEach(m -> assertThat(m.getGradient().toFloatArray())
                    .containsOnly(0f));

            // new masters reach every mirror
            masters.values().forEach(w -> w.addi(1f));
            parallel.broadcastWeights();
            NDArray mirror = parallel.workers().get(2).mirrors().get("model.norm.weight");
            assertThat(mirror.toType(DataType.FLOAT32, false).toFloatArray())
                    .containsExactly(masters.get("model.norm.weight").toFloatArray(), within(1e-2f));
            assertThat(mirror.getShape()).isEqualTo(new Shape(32));
            assertThat(mirror.hasGradient()).isTrue();
        }
    }
}
