package dev.dpo4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.dpo4j.core.data.PairBatch;

/**
 * Scores completions: the summed log-probability of each sequence's completion tokens and its mean logit.
 * Only completion positions go through the LM head, so the full {@code (sequences, length, vocab)} logits are
 * never formed; log-softmax runs in float32.
 */
public final class CompletionScorer {

    private CompletionScorer() {
    }

    /**
     * Scores a batch with one forward pass over all chosen and rejected sequences.
     *
     * @return per-sequence summed completion log-probs (differentiable) and mean completion logits (detached),
     *     each of shape {@code (2 * pairs)}, chosen sequences first
     */
    public static Scores score(CausalLm model, PairBatch.Arrays batch, Weights weights, DataType computeType) {
        NDArray hidden = model.hiddenStates(batch.inputIds(), weights, computeType);
        long width = hidden.getShape().get(2);
        NDArray scoredHidden = hidden.reshape(-1, width).get(batch.scoredRows());
        NDArray logits = widen(Linear.linear(scoredHidden, model.lmHead(weights)).singletonOrThrow());
        NDArray tokenLogps = logits.logSoftmax(-1).gather(batch.targets().reshape(-1, 1), 1).reshape(-1);
        NDArray logps = batch.segments().matMul(tokenLogps);
        NDArray meanLogits = batch.segments().matMul(logits.stopGradient().mean(new int[] {-1}))
                .div(batch.completionLengths());
        return new Scores(logps, meanLogits);
    }

    /**
     * {@code x} in float32, keeping the graph: DJL's casts run outside autograd, but type promotion in a product
     * with a float32 one does not.
     */
    static NDArray widen(NDArray x) {
        if (x.getDataType() == DataType.FLOAT32) {
            return x;
        }
        return x.mul(x.getManager().ones(new Shape(1), DataType.FLOAT32));
    }

    /**
     * Per-sequence scores.
     *
     * @param logps summed completion log-probabilities
     * @param meanLogits mean logit over completion tokens and vocabulary
     */
    public record Scores(NDArray logps, NDArray meanLogits) {
    }
}
