package dev.dpo4j.core.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.dpo4j.api.loss.LossFunction;
import dev.dpo4j.core.data.PairBatch;
import dev.dpo4j.core.data.PairCollator;
import dev.dpo4j.core.data.TokenizedPair;
import dev.dpo4j.core.internal.step.MicroBatchOutcome;
import dev.dpo4j.core.kernels.Autograd;
import dev.dpo4j.core.kernels.InPlace;
import dev.dpo4j.core.lora.LoraAdapters;
import dev.dpo4j.core.lora.LoraOptions;
import dev.dpo4j.core.loss.Losses;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.Weights;
import dev.dpo4j.testing.RandomInit;
import dev.dpo4j.testing.TinyModels;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RecomputingPassTest {

    @ParameterizedTest(name = "{0} of 2 layers recomputed")
    @ValueSource(ints = {2, 1, 0})
    void givesTheGradientsOfThePlainPass(int recomputedLayers) {
        try (NDManager manager = NDManager.newBaseManager();
                CausalLm model = RandomInit.create(TinyModels.config("qwen2", 50, true), manager, 4, 0.2)) {
            model.parameters().values().forEach(w -> w.setRequiresGradient(true));
            LossFunction loss = Losses.sigmoid(0.5);
            List<TokenizedPair> pairs = List.of(
                    new TokenizedPair(new int[] {3, 4, 5}, new int[] {6, 7, 8, 2}, new int[] {9, 2}),
                    new TokenizedPair(new int[] {3, 11}, new int[] {12, 2}, new int[] {13, 14, 15, 16, 2}));
            PairBatch batch = new PairCollator(0, 1).collate(pairs);
            NDArray reference = manager.create(new float[] {-20, -9, -15, -30});

            Map<String, float[]> plain;
            try (NDManager scope = manager.newSubManager()) {
                PairBatch.Arrays arrays = batch.toArrays(scope);
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    CompletionScorer.Scores scores = CompletionScorer.score(model, arrays, model.weights(),
                            DataType.FLOAT32);
                    NDArray mean = MicroBatchOutcome.of(loss, scores, reference, arrays, 2).output().losses().mean();
                    collector.backward(mean.mul(dev.dpo4j.api.arrays.Scalars.of(mean, 3.0)));
                }
                plain = takeGradients(model);
            }
            MicroBatchOutcome result;
            try (NDManager scope = manager.newSubManager()) {
                PairBatch.Arrays arrays = batch.toArrays(scope);
                // 150 logit elements at a time: three tokens per head chunk, so the head runs in five chunks
                result = RecomputingPass.run(model, arrays, model.weights(), DataType.FLOAT32, scope,
                        3.0, 150, recomputedLayers, scores -> MicroBatchOutcome.of(loss, scores, reference, arrays, 2),
                        outcome -> outcome.output().losses());
                assertThat(result.output().losses().toFloatArray()).hasSize(2);
                Map<String, float[]> recomputed = takeGradients(model);
                plain.forEach((name, expected) -> {
                    float[] actual = recomputed.get(name);
                    for (int i = 0; i < expected.length; i++) {
                        assertThat(actual[i]).as("%s[%d]", name, i)
                                .isCloseTo(expected[i], org.assertj.core.api.Assertions.within(
                                        1e-5f + 1e-4f * Math.abs(expected[i])));
                    }
                });
            }
        }
    }

    @ParameterizedTest(name = "{0} of 2 layers recomputed")
    @ValueSource(ints = {2, 1, 0})
    void givesTheAdapterGradientsOfThePlainPassOnAFrozenBase(int recomputedLayers) {
        try (NDManager manager = NDManager.newBaseManager();
                CausalLm base = RandomInit.create(TinyModels.config("llama", 50, false), manager, 4, 0.2);
                LoraAdapters adapters = LoraAdapters.initialize(base.config(),
                        LoraOptions.enabled().with(LoraOptions::loraR, 2).with(LoraOptions::loraTargetModules, List.of(LoraOptions.ALL_LINEAR)), manager, 3)) {
            // B non-zero, so that A's gradients are too
            adapters.modules().forEach(m -> InPlace.assign(adapters.parameters().get(m.bName()),
                    manager.randomNormal(0, 0.3f, adapters.parameters().get(m.bName()).getShape(), DataType.FLOAT32)));
            adapters.parameters().values().forEach(w -> w.setRequiresGradient(true));
            Weights weights = adapters.over(base.weights());
            LossFunction loss = Losses.sigmoid(0.5);
            PairBatch batch = new PairCollator(0, 1).collate(List.of(
                    new TokenizedPair(new int[] {3, 4, 5}, new int[] {6, 7, 8, 2}, new int[] {9, 2}),
                    new TokenizedPair(new int[] {3, 11}, new int[] {12, 2}, new int[] {13, 14, 15, 16, 2})));
            NDArray reference = manager.create(new float[] {-20, -9, -15, -30});
            Map<String, float[]> plain;
            try (NDManager scope = manager.newSubManager()) {
                PairBatch.Arrays arrays = batch.toArrays(scope);
                try (Autograd recording = Autograd.record()) {
                    NDArray mean = MicroBatchOutcome.of(loss, CompletionScorer.score(base, arrays, weights,
                            DataType.FLOAT32), reference, arrays, 2).output().losses().mean();
                    Autograd.backward(mean);
                }
                plain = gradients(adapters.parameters());
            }
            try (NDManager scope = manager.newSubManager()) {
                PairBatch.Arrays arrays = batch.toArrays(scope);
                RecomputingPass.run(base, arrays, weights, DataType.FLOAT32, scope, 1.0, 150, recomputedLayers,
                        scores -> MicroBatchOutcome.of(loss, scores, reference, arrays, 2),
                        outcome -> outcome.output().losses());
                Map<String, float[]> recomputed = gradients(adapters.parameters());
                plain.forEach((name, expected) -> {
                    float[] actual = recomputed.get(name);
                    float scale = 0;
                    for (float e : expected) {
                        scale = Math.max(scale, Math.abs(e));
                    }
                    for (int i = 0; i < expected.length; i++) { // float32 noise scales with the tensor's largest
                        assertThat(actual[i]).as("%s[%d]", name, i).isCloseTo(expected[i],
                                org.assertj.core.api.Assertions.within(1e-5f * scale + 1e-4f * Math.abs(expected[i])));
                    }
                });
            }
            assertThat(base.parameters().values()).allMatch(w -> !Autograd.requiresGradient(w));
        }
    }

    private static Map<String, float[]> gradients(Map<String, NDArray> parameters) {
        Map<String, float[]> gradients = new LinkedHashMap<>();
        parameters.forEach((name, weight) -> {
            try (NDArray gradient = weight.getGradient()) {
                gradients.put(name, gradient.toFloatArray());
                assertThat(gradient.abs().sum().getFloat()).as(name).isPositive();
                gradient.subi(gradient);
            }
        });
        return gradients;
    }

    private static Map<String, float[]> takeGradients(CausalLm model) {
        Map<String, float[]> gradients = new LinkedHashMap<>();
        model.parameters().forEach((name, weight) -> {
            try (NDArray gradient = weight.getGradient()) {
                gradients.put(name, gradient.toFloatArray());
                assertThat(gradient.abs().sum().getFloat()).as(name).isPositive();
                gradient.subi(gradient);
            }
        });
        return gradients;
    }
}
