package dev.dpo4j.core.internal.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.dpo4j.api.arrays.Scalars;
import dev.dpo4j.core.kernels.Autograd;
import dev.dpo4j.core.kernels.Kernels;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.FusedProjections;
import dev.dpo4j.core.optim.AdamW;
import dev.dpo4j.testing.RandomInit;
import dev.dpo4j.testing.TinyModels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The two exchanges of {@link MirrorWeights}, with runs far smaller than the tensors so that every cut is taken. */
class MirrorWeightsTest {

    private NDManager manager;
    private CausalLm policy;
    private AdamW optimizer;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager(Device.cpu());
        policy = RandomInit.create(TinyModels.config("qwen2", 50, false), manager, 4, 0.1);
        optimizer = new AdamW(manager, policy.parameters(), 0.9, 0.999, 1e-8, 0.01);
    }

    @AfterEach
    void tearDown() {
        optimizer.close();
        policy.close();
        manager.close();
    }

    @Test
    void runsCoverEveryMemberOnceInOrder() {
        AdamW.FlatGroup group = new AdamW.FlatGroup(List.of("a", "b", "c", "d", "e"), List.of(5L, 3L, 10L, 2L, 2L),
                null, null);
        List<long[]> runs = new ArrayList<>();
        FlatRuns.forEach(group, 6, (from, to, offset, length) -> runs.add(new long[] {from, to, offset,
                length}));
        assertThat(runs).containsExactly(new long[] {0, 2, 0, 8}, new long[] {2, 3, 8, 10}, new long[] {3, 5, 18, 4});
    }

    /** Stacked: q/k/v (weights and biases, qwen2) and gate/up of each layer are one leaf each. */
    @ParameterizedTest(name = "stacked={0}")
    @ValueSource(booleans = {false, true})
    void mirrorsStartAsTheMastersAndGradientsAddUpOnTheFirstDevice(boolean stacked) {
        Map<String, NDArray> masters = policy.parameters();
        List<MirrorWeights> mirrors = List.of(mirror(stacked), mirror(stacked));
        try {
            assertThat(mirrors.get(0).view()).isInstanceOf(stacked ? FusedProjections.class : Object.class);
            for (int i = 0; i < mirrors.size(); i++) {
                // gradient of sum(w * (i + 2)) is i + 2 everywhere
                int factor = i + 2;
                try (Autograd recording = Autograd.record()) {
                    Map<String, NDArray> views = views(mirrors.get(i));
                    views.forEach((name, view) -> {
                        assertThat(view.getDataType()).isEqualTo(DataType.FLOAT16);
                        assertThat(view.toType(DataType.FLOAT32, false).toFloatArray())
                                .containsExactly(masters.get(name).toFloatArray(), within(1e-3f));
                    });
                    views.values().forEach(m -> Autograd.backward(m.mul(Scalars.of(m, factor)).sum()));
                }
            }
            mirrors.forEach(MirrorWeights::drainGradients);
            for (AdamW.FlatGroup group : optimizer.flatGroups()) {
                assertThat(group.gradients().toFloatArray()).containsOnly(5f); // 2 + 3
            }
            // draining cleared the mirrors' gradients: a second drain adds nothing
            mirrors.forEach(MirrorWeights::drainGradients);
            for (AdamW.FlatGroup group : optimizer.flatGroups()) {
                assertThat(group.gradients().toFloatArray()).containsOnly(5f);
            }

            // new masters reach every mirror
            masters.values().forEach(w -> w.addi(1f));
            mirrors.forEach(MirrorWeights::refresh);
            NDArray mirror = mirrors.get(1).view().get("model.norm.weight");
            assertThat(mirror.toType(DataType.FLOAT32, false).toFloatArray())
                    .containsExactly(masters.get("model.norm.weight").toFloatArray(), within(1e-2f));
            assertThat(mirror.getShape()).isEqualTo(new Shape(32));
            assertThat(mirror.hasGradient()).isTrue();
        } finally {
            mirrors.forEach(MirrorWeights::close);
        }
    }

    private MirrorWeights mirror(boolean stacked) {
        return new MirrorWeights(optimizer.flatGroups(), policy.parameters(), DataType.FLOAT16, Kernels.djl(),
                manager.newSubManager(Device.cpu()), manager, 500,
                stacked ? CausalLm.stackedProjections(policy.config()) : List.of());
    }

    private Map<String, NDArray> views(MirrorWeights mirror) {
        Map<String, NDArray> views = new LinkedHashMap<>();
        policy.parameters().keySet().forEach(name -> views.put(name, mirror.view().get(name)));
        return views;
    }
}
