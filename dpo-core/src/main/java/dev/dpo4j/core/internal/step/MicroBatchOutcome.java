package dev.dpo4j.core.internal.step;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import dev.dpo4j.api.loss.LossFunction;
import dev.dpo4j.api.loss.LossOutput;
import dev.dpo4j.api.loss.PreferenceLogps;
import dev.dpo4j.core.data.PairBatch;
import dev.dpo4j.core.metrics.MetricsAccumulator;
import dev.dpo4j.core.scoring.CompletionScorer;

/** A micro-batch's scores split into chosen and rejected halves, and the loss over them. */
public record MicroBatchOutcome(LossOutput output, PreferenceLogps logps, NDArray logitsChosen, NDArray logitsRejected) {

    /** Splits the scores of {@code 2 * pairs} sequences into halves and computes the loss. */
    public static MicroBatchOutcome of(LossFunction loss, CompletionScorer.Scores scores, NDArray reference,
            PairBatch.Arrays arrays, int pairs) {
        NDIndex chosen = new NDIndex(":{}", pairs);
        NDIndex rejected = new NDIndex("{}:", pairs);
        NDArray lengths = arrays.completionLengths();
        PreferenceLogps logps = new PreferenceLogps(scores.logps().get(chosen), scores.logps().get(rejected),
                reference == null ? null : reference.get(chosen), reference == null ? null : reference.get(rejected),
                lengths.get(chosen), lengths.get(rejected));
        return new MicroBatchOutcome(loss.compute(logps), logps, scores.meanLogits().get(chosen),
                scores.meanLogits().get(rejected));
    }

    /** The micro-batch's per-pair values, copied to the host, with the tokens the policy processed. */
    public Values values(long tokens) {
        return new Values(output.losses().toFloatArray(), output.chosenRewards().toFloatArray(),
                output.rejectedRewards().toFloatArray(), logps.policyChosen().toFloatArray(),
                logps.policyRejected().toFloatArray(), logitsChosen.toFloatArray(), logitsRejected.toFloatArray(),
                tokens);
    }

    /** A micro-batch's per-pair values on the host: what a device thread hands back for the metrics. */
    public record Values(float[] losses, float[] chosenRewards, float[] rejectedRewards, float[] chosenLogps,
            float[] rejectedLogps, float[] chosenLogits, float[] rejectedLogits, long tokens) {

        /** Adds them to the metrics. */
        public void addTo(MetricsAccumulator metrics) {
            metrics.add(losses, chosenRewards, rejectedRewards, chosenLogps, rejectedLogps, chosenLogits,
                    rejectedLogits, tokens);
        }
    }
}
