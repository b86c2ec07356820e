package dev.dpo4j.core.internal.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.data.PairBatch;
import dev.dpo4j.core.data.PairCollator;
import dev.dpo4j.core.data.TokenizedPair;
import dev.dpo4j.core.kernels.Autograd;
import dev.dpo4j.core.kernels.Kernels;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.FusedProjections;
import dev.dpo4j.core.scoring.CompletionScorer;
import dev.dpo4j.testing.RandomInit;
import dev.dpo4j.testing.TinyModels;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Stacked q/k/v and gate/up copies give the log-probs and float32 gradients of one copy per weight. */
class HalfCopiesTest {

    private static final List<TokenizedPair> PAIRS = List.of(
            new TokenizedPair(new int[] {3, 4, 5}, new int[] {8, 9, 2}, new int[] {11, 2}),
            new TokenizedPair(new int[] {3, 12}, new int[] {13, 2}, new int[] {14, 15, 16, 2}));

    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager(Device.cpu());
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    /** qwen2 has q/k/v biases, which are stacked too; qwen3 has q/k norms between the projections and attention. */
    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2", "qwen3"})
    void stackedCopiesTrainAsOneCopyPerWeight(String family) {
        try (CausalLm model = RandomInit.create(TinyModels.config(family, 50, false), manager, 4, 0.2)) {
            List<List<String>> groups = CausalLm.stackedProjections(model.config());
            assertThat(groups).hasSize(2 * model.numLayers());
            Map<String, float[]> plain = new LinkedHashMap<>();
            float[] plainLogps = step(model, List.of(), plain);
            Map<String, float[]> stacked = new LinkedHashMap<>();
            float[] stackedLogps = step(model, groups, stacked);
            assertThat(stackedLogps).containsExactly(plainLogps, within(1e-5f));
            assertThat(stacked.keySet()).containsExactlyElementsOf(plain.keySet());
            plain.forEach((name, gradient) -> {
                float scale = 0;
                for (float g : gradient) {
                    scale = Math.max(scale, Math.abs(g));
                }
                assertThat(scale).as("%s has a gradient", name).isGreaterThan(0f);
                assertThat(stacked.get(name)).as(name).containsExactly(gradient, within(1e-5f * scale + 1e-8f));
            });
        }
    }

    /**
     * Two micro-batches through copies in float32 (so the comparison is exact up to summation order), refreshed after
     * the masters change; returns the second's log-probs and puts the drained float32 gradients by name.
     */
    private float[] step(CausalLm model, List<List<String>> groups, Map<String, float[]> drained) {
        try (NDManager scope = manager.newSubManager()) {
            Map<String, NDArray> gradients = new LinkedHashMap<>();
            model.parameters().forEach((name, w) -> gradients.put(name, scope.zeros(w.getShape())));
            PairBatch batch = new PairCollator(0, 1, false).collate(PAIRS);
            float[] logps;
            try (HalfCopies copies = new HalfCopies(model.parameters(), gradients, scope, Kernels.torchScript(),
                    DataType.FLOAT32, groups)) {
                backward(model, copies, batch, scope);
                // the masters move: the refreshed copies must follow, stacked ones included
                model.parameters().values().forEach(w -> w.muli(1.5f));
                copies.refresh();
                logps = backward(model, copies, batch, scope);
                model.parameters().values().forEach(w -> w.divi(1.5f));
                copies.drainGradients();
                assertThat(copies.view()).isInstanceOf(groups.isEmpty() ? Object.class : FusedProjections.class);
            }
            gradients.forEach((name, g) -> drained.put(name, g.toFloatArray()));
            return logps;
        }
    }

    private static float[] backward(CausalLm model, HalfCopies copies, PairBatch batch, NDManager scope) {
        try (NDManager step = scope.newSubManager(); Autograd recording = Autograd.record()) {
            NDArray logps = CompletionScorer.score(model, batch.toArrays(step), copies.view(), DataType.FLOAT32)
                    .logps();
            Autograd.backward(logps.sum());
            return logps.toFloatArray();
        }
    }
}
