package dev.dpo4j.core.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.dpo4j.api.arrays.Scalars;
import dev.dpo4j.api.loss.LossFunction;
import dev.dpo4j.core.data.PairBatch;
import dev.dpo4j.core.data.PairCollator;
import dev.dpo4j.core.data.TokenizedPair;
import dev.dpo4j.core.internal.step.MicroBatchOutcome;
import dev.dpo4j.core.kernels.InPlace;
import dev.dpo4j.core.kernels.Kernels;
import dev.dpo4j.core.loss.Losses;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.testing.RandomInit;
import dev.dpo4j.testing.TinyModels;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chunked head's token statistics and LD-DPO's weighted log-probs, on every scoring path, against a plain loop
 * over the full logits of the unshared rows.
 */
class HeadStatisticsTest {

    private static final List<TokenizedPair> PAIRS = List.of(
            new TokenizedPair(new int[] {3, 4, 5}, new int[] {6, 7, 8, 2}, new int[] {9, 2}),
            new TokenizedPair(new int[] {3, 11}, new int[] {12, 2}, new int[] {13, 14, 15, 16, 2}));
    private static final double ALPHA = 0.25;

    /** Per-sequence sums the loop computes: log-probs (LD-weighted), entropy, hits, aligned log-probs. */
    private record Expected(double[] logps, double[] entropy, double[] correct, double[] aligned) {
    }

    @ParameterizedTest(name = "shared prompt {0}")
    @ValueSource(booleans = {false, true})
    void theChunkedHeadGivesWhatALoopOverTheFullLogitsGives(boolean sharePrompt) {
        try (NDManager manager = NDManager.newBaseManager();
                CausalLm model = RandomInit.create(TinyModels.config("qwen2", 50, true), manager, 4, 0.2)) {
            Expected expected = loop(model, manager);
            PairBatch batch = new PairCollator(0, 1, sharePrompt, ALPHA).collate(PAIRS);
            for (CausalLm kernels : List.of(model, model.withKernels(Kernels.torchScript()))) {
                try (NDManager scope = manager.newSubManager()) {
                    // three tokens' logits a chunk: five chunks
                    CompletionScorer.Scores scores = CompletionScorer.score(kernels, batch.toArrays(scope),
                            kernels.weights(), DataType.FLOAT32, 3 * 50);
                    assertSums(scores, expected);
                }
            }
        }
    }

    @Test
    void recomputingGivesTheStatisticsAndTheWeightedGradientsOfThePlainPass() {
        try (NDManager manager = NDManager.newBaseManager();
                CausalLm model = RandomInit.create(TinyModels.config("qwen2", 50, true), manager, 4, 0.2)) {
            Expected expected = loop(model, manager);
            model.parameters().values().forEach(w -> w.setRequiresGradient(true));
            LossFunction loss = Losses.sigmoid(0.5);
            PairBatch batch = new PairCollator(0, 1, false, ALPHA).collate(PAIRS);
            NDArray reference = manager.create(new float[] {-20, -9, -15, -30});
            Map<String, float[]> plain;
            try (NDManager scope = manager.newSubManager()) {
                PairBatch.Arrays arrays = batch.toArrays(scope);
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    CompletionScorer.Scores scores = CompletionScorer.score(model, arrays, model.weights(),
                            DataType.FLOAT32);
                    assertSums(scores, expected);
                    NDArray mean = MicroBatchOutcome.of(loss, true, scores, reference, arrays, 2).output().losses()
                            .mean();
                    collector.backward(mean.mul(Scalars.of(mean, 3.0)));
                }
                plain = takeGradients(model);
            }
            try (NDManager scope = manager.newSubManager()) {
                PairBatch.Arrays arrays = batch.toArrays(scope);
                MicroBatchOutcome result = RecomputingPass.run(model, arrays, model.weights(), DataType.FLOAT32, scope,
                        3.0, 150, 2, scores -> {
                            assertSums(scores, expected);
                            return MicroBatchOutcome.of(loss, true, scores, reference, arrays, 2);
                        }, outcome -> outcome.output().losses());
                assertThat(result.statistics()).isNotNull();
                Map<String, float[]> recomputed = takeGradients(model);
                plain.forEach((name, values) -> {
                    float[] actual = recomputed.get(name);
                    for (int i = 0; i < values.length; i++) {
                        assertThat(actual[i]).as("%s[%d]", name, i)
                                .isCloseTo(values[i], within(1e-5f + 1e-4f * Math.abs(values[i])));
                    }
                });
            }
        }
    }

    private static void assertSums(CompletionScorer.Scores scores, Expected expected) {
        assertThat(toDoubles(scores.logps())).containsExactly(expected.logps(), within(1e-4));
        assertThat(toDoubles(scores.statistics().entropy())).containsExactly(expected.entropy(), within(1e-4));
        assertThat(toDoubles(scores.statistics().correct())).containsExactly(expected.correct(), within(1e-6));
        assertThat(toDoubles(scores.statistics().alignedLogps())).containsExactly(expected.aligned(), within(1e-4));
    }

    /**
     * The sums from the full logits of the unshared rows, in plain Java: each scored token's log-softmax, entropy,
     * argmax and {@code log p(y) - log sum p^2}; LD-DPO's weight {@link #ALPHA} on tokens past the shorter completion.
     */
    private static Expected loop(CausalLm model, NDManager manager) {
        PairBatch batch = new PairCollator(0, 1).collate(PAIRS);
        int vocab = model.config().vocabSize();
        float[] logits;
        try (NDManager scope = manager.newSubManager()) {
            NDArray ids = batch.toArrays(scope).inputIds();
            NDArray states = Decoder.hiddenStates(model, ids, model.weights(), DataType.FLOAT32);
            logits = model.logits(states.reshape(-1, states.getShape().get(2)), model.weights()).toFloatArray();
        }
        int sequences = 2 * batch.pairs();
        Expected sums = new Expected(new double[sequences], new double[sequences], new double[sequences],
                new double[sequences]);
        int[] seen = new int[sequences];
        for (int i = 0; i < batch.targets().length; i++) {
            int s = batch.sequenceOf()[i];
            int offset = (int) batch.scoredRows()[i] * vocab;
            double max = Double.NEGATIVE_INFINITY;
            int argmax = 0;
            for (int v = 0; v < vocab; v++) {
                if (logits[offset + v] > max) {
                    max = logits[offset + v];
                    argmax = v;
                }
            }
            double total = 0;
            for (int v = 0; v < vocab; v++) {
                total += Math.exp(logits[offset + v] - max);
            }
            double logTotal = max + Math.log(total);
            double entropy = 0;
            double squares = 0;
            for (int v = 0; v < vocab; v++) {
                double logp = logits[offset + v] - logTotal;
                entropy -= Math.exp(logp) * logp;
                squares += Math.exp(2 * logp);
            }
            int target = (int) batch.targets()[i];
            double logp = logits[offset + target] - logTotal;
            int pair = s % batch.pairs();
            double shared = Math.min(batch.completionLengths()[pair], batch.completionLengths()[pair + 2]);
            sums.logps()[s] += ++seen[s] <= shared ? logp : ALPHA * logp;
            sums.entropy()[s] += entropy;
            sums.correct()[s] += argmax == target ? 1 : 0;
            sums.aligned()[s] += logp - Math.log(squares);
        }
        return sums;
    }

    private static Map<String, float[]> takeGradients(CausalLm model) {
        Map<String, float[]> gradients = new LinkedHashMap<>();
        model.parameters().forEach((name, weight) -> {
            NDArray gradient = weight.getGradient();
            gradients.put(name, gradient.toFloatArray());
            InPlace.zero(gradient);
        });
        return gradients;
    }

    private static double[] toDoubles(NDArray array) {
        float[] values = array.toFloatArray();
        double[] doubles = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            doubles[i] = values[i];
        }
        return doubles;
    }
}
