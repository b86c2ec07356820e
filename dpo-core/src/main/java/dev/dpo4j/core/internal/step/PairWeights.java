package dev.dpo4j.core.internal.step;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import dev.dpo4j.core.metrics.MetricsAccumulator;
import dev.dpo4j.core.scoring.TokenStatistics;

/** What a micro-batch's {@link TokenStatistics} give: WPO's per-pair weights and TRL's token metrics. */
final class PairWeights {

    private PairWeights() {
    }

    /**
     * WPO's weight of each pair (Zhou et al. 2024, eq. 2, as TRL computes it): with {@code a} a sequence's summed
     * aligned log-probs and {@code n} its completion tokens (at least 1), {@code w = exp(a / n)} per sequence, the
     * pair's weight {@code w(chosen) * w(rejected)}; detached, shape {@code (pairs)}.
     *
     * @throws IllegalStateException when the scores carry no statistics
     */
    static NDArray wpo(TokenStatistics statistics, NDArray completionLengths, int pairs) {
        if (statistics == null) {
            throw new IllegalStateException("use_weighting needs the policy's token statistics");
        }
        NDArray weights = statistics.alignedLogps().div(completionLengths.maximum(1f)).exp().stopGradient();
        return weights.get(new NDIndex(":{}", pairs)).mul(weights.get(new NDIndex("{}:", pairs)));
    }

    /**
     * TRL's {@code entropy} (mean over every completion token, chosen and rejected) and {@code mean_token_accuracy}
     * (share of chosen completion tokens that are the policy's most probable one) of one micro-batch, each 0 where
     * it has no such tokens, as TRL logs them.
     */
    static MetricsAccumulator.TokenMetrics tokenMetrics(TokenStatistics statistics, NDArray completionLengths) {
        float[] entropy = statistics.entropy().toFloatArray();
        float[] correct = statistics.correct().toFloatArray();
        float[] lengths = completionLengths.toFloatArray();
        int pairs = lengths.length / 2;
        double entropySum = 0;
        double tokens = 0;
        double hits = 0;
        double chosenTokens = 0;
        for (int s = 0; s < lengths.length; s++) {
            entropySum += entropy[s];
            tokens += lengths[s];
            if (s < pairs) {
                hits += correct[s];
                chosenTokens += lengths[s];
            }
        }
        return new MetricsAccumulator.TokenMetrics(tokens > 0 ? entropySum / tokens : 0,
                chosenTokens > 0 ? hits / chosenTokens : 0);
    }
}
