package dev.dpo4j.core.internal.step;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import dev.dpo4j.api.loss.LossFunction;
import dev.dpo4j.api.loss.LossOutput;
import dev.dpo4j.api.loss.PreferenceLogps;
import dev.dpo4j.core.data.PairBatch;
import dev.dpo4j.core.metrics.MetricsAccumulator;
import dev.dpo4j.core.scoring.CompletionScorer;
import dev.dpo4j.core.scoring.TokenStatistics;

/**
 * A micro-batch's scores split into chosen and rejected halves, and the loss over them.
 *
 * @param statistics the policy's per-sequence token statistics (null where they were not computed)
 * @param completionLengths the scored completion tokens of each sequence, chosen first
 */
public record MicroBatchOutcome(LossOutput output, PreferenceLogps logps, NDArray logitsChosen, NDArray logitsRejected,
        TokenStatistics statistics, NDArray completionLengths) {

    /** Splits the scores of {@code 2 * pairs} sequences into halves and computes the loss, unweighted. */
    public static MicroBatchOutcome of(LossFunction loss, CompletionScorer.Scores scores, NDArray reference,
            PairBatch.Arrays arrays, int pairs) {
        return of(loss, false, scores, reference, arrays, pairs);
    }

    /**
     * Splits the scores of {@code 2 * pairs} sequences into halves and computes the loss; with {@code useWeighting},
     * each pair's loss times its WPO weight (the policy's length-normalized aligned probability of its chosen
     * completion times that of its rejected one, detached), as TRL's {@code use_weighting}.
     */
    public static MicroBatchOutcome of(LossFunction loss, boolean useWeighting, CompletionScorer.Scores scores,
            NDArray reference, PairBatch.Arrays arrays, int pairs) {
        NDIndex chosen = new NDIndex(":{}", pairs);
        NDIndex rejected = new NDIndex("{}:", pairs);
        NDArray lengths = arrays.completionLengths();
        PreferenceLogps logps = new PreferenceLogps(scores.logps().get(chosen), scores.logps().get(rejected),
                reference == null ? null : reference.get(chosen), reference == null ? null : reference.get(rejected),
                lengths.get(chosen), lengths.get(rejected));
        LossOutput output = loss.compute(logps);
        if (useWeighting) {
            output = new LossOutput(output.losses().mul(PairWeights.wpo(scores.statistics(), lengths, pairs)),
                    output.chosenRewards(), output.rejectedRewards());
        }
        return new MicroBatchOutcome(output, logps, scores.meanLogits().get(chosen),
                scores.meanLogits().get(rejected), scores.statistics(), lengths);
    }

    /** The micro-batch's per-pair values, copied to the host, with the tokens the policy processed. */
    public Values values(long tokens) {
        return new Values(output.losses().toFloatArray(), output.chosenRewards().toFloatArray(),
                output.rejectedRewards().toFloatArray(), logps.policyChosen().toFloatArray(),
                logps.policyRejected().toFloatArray(), logitsChosen.toFloatArray(), logitsRejected.toFloatArray(),
                tokens, statistics == null ? null : PairWeights.tokenMetrics(statistics, completionLengths));
    }

    /**
     * A micro-batch's per-pair values on the host: what a device thread hands back for the metrics.
     *
     * @param tokenMetrics its entropy and token accuracy; null where not computed
     */
    public record Values(float[] losses, float[] chosenRewards, float[] rejectedRewards, float[] chosenLogps,
            float[] rejectedLogps, float[] chosenLogits, float[] rejectedLogits, long tokens,
            MetricsAccumulator.TokenMetrics tokenMetrics) {

        /** Adds them to the metrics. */
        public void addTo(MetricsAccumulator metrics) {
            metrics.add(losses, chosenRewards, rejectedRewards, chosenLogps, rejectedLogps, chosenLogits,
                    rejectedLogits, tokens);
            if (tokenMetrics != null) {
                metrics.add(tokenMetrics);
            }
        }
    }
}
