package dev.dpo4j.core.internal.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.dpo4j.core.data.PairBatch;
import dev.dpo4j.core.data.PairCollator;
import dev.dpo4j.core.data.TokenizedPair;
import dev.dpo4j.core.loss.Losses;
import dev.dpo4j.core.metrics.MetricsAccumulator;
import dev.dpo4j.core.scoring.CompletionScorer;
import dev.dpo4j.core.scoring.TokenStatistics;
import java.util.List;
import org.junit.jupiter.api.Test;

/** WPO's pair weights and TRL's token metrics of a 2-pair micro-batch, against values worked out by hand. */
class PairWeightsTest {

    /** Completion lengths: chosen 3 and 2, rejected 1 and 4. */
    private static final List<TokenizedPair> PAIRS = List.of(
            new TokenizedPair(new int[] {3, 4}, new int[] {5, 6, 7}, new int[] {8}),
            new TokenizedPair(new int[] {3}, new int[] {9, 10}, new int[] {11, 12, 13, 14}));

    @Test
    void eachPairsLossIsWeightedByItsCompletionsMeanAlignedProbabilities() {
        try (NDManager manager = NDManager.newBaseManager()) {
            PairBatch.Arrays arrays = new PairCollator(0, 1).collate(PAIRS).toArrays(manager);
            // aligned log-probs per token: chosen 0 (-0.2, -0.4, -0.6), chosen 1 (-1, -3), rejected 0 (-0.5),
            // rejected 1 (-0.1, -0.3, -0.2, -0.2): means -0.4, -2, -0.5, -0.2
            CompletionScorer.Scores scores = new CompletionScorer.Scores(
                    manager.create(new float[] {-3.5f, -2f, -4f, -4.5f}), manager.zeros(new Shape(4)),
                    new TokenStatistics(manager.create(new float[] {3f, 1f, 0.5f, 2.5f}),
                            manager.create(new float[] {2f, 1f, 1f, 4f}),
                            manager.create(new float[] {-1.2f, -4f, -0.5f, -0.8f})));
            NDArray reference = manager.create(new float[] {-3f, -2.5f, -4f, -4f});

            assertThat(PairWeights.wpo(scores.statistics(), arrays.completionLengths(), 2).toFloatArray())
                    .containsExactly(new float[] {(float) Math.exp(-0.4 - 0.5), (float) Math.exp(-2 - 0.2)},
                            within(1e-6f));

            // sigmoid, beta 0.1: margins (-3.5 + 4) - (-3 + 4) = -0.5 and (-2 + 4.5) - (-2.5 + 4) = 1
            double plain0 = Math.log1p(Math.exp(0.05));
            double plain1 = Math.log1p(Math.exp(-0.1));
            MicroBatchOutcome unweighted = MicroBatchOutcome.of(Losses.sigmoid(0.1), false, scores, reference,
                    arrays, 2);
            assertThat(unweighted.output().losses().toFloatArray())
                    .containsExactly(new float[] {(float) plain0, (float) plain1}, within(1e-6f));
            MicroBatchOutcome weighted = MicroBatchOutcome.of(Losses.sigmoid(0.1), true, scores, reference, arrays,
                    2);
            assertThat(weighted.output().losses().toFloatArray()).containsExactly(new float[] {
                (float) (plain0 * Math.exp(-0.9)), (float) (plain1 * Math.exp(-2.2))}, within(1e-6f));
            // the rewards are not weighted
            assertThat(weighted.output().chosenRewards().toFloatArray())
                    .isEqualTo(unweighted.output().chosenRewards().toFloatArray());

            // entropy (3 + 1 + 0.5 + 2.5) / 10 tokens; accuracy over chosen tokens only: (2 + 1) / 5
            MetricsAccumulator.TokenMetrics metrics = weighted.values(42).tokenMetrics();
            assertThat(metrics.entropy()).isCloseTo(0.7, within(1e-6));
            assertThat(metrics.meanTokenAccuracy()).isCloseTo(0.6, within(1e-6));
        }
    }

    @Test
    void aMicroBatchWithoutCompletionTokensHasZeroMetricsAsTrlLogsThem() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray zeros = manager.zeros(new Shape(2));
            MetricsAccumulator.TokenMetrics metrics = PairWeights.tokenMetrics(new TokenStatistics(zeros, zeros,
                    zeros), zeros);
            assertThat(metrics.entropy()).isZero();
            assertThat(metrics.meanTokenAccuracy()).isZero();
            // no tokens: the length counts as 1, the weight is exp(0)
            assertThat(PairWeights.wpo(new TokenStatistics(zeros, zeros, zeros), zeros, 1).toFloatArray())
                    .containsExactly(1f);
        }
    }
}
