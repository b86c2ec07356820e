package dev.dpo4j.core.scoring;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.dpo4j.core.data.PairBatch;
import dev.dpo4j.core.kernels.Autograd;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.Weights;
import java.util.function.BiConsumer;

/**
 * The final norm and LM head over a batch's scored (completion) tokens, a fixed number of tokens at a time: only
 * those positions go through the head, so the full {@code (sequences, length, vocab)} logits are never formed, and
 * each chunk's logits are freed before the next; log-softmax runs in float32.
 */
final class LmHead {

    private final CausalLm model;
    private final PairBatch.Arrays batch;
    private final Weights weights;
    private final long chunk;

    /** The head of {@code model} over the scored tokens of {@code batch}, {@code chunkTokens} tokens a chunk. */
    LmHead(CausalLm model, PairBatch.Arrays batch, Weights weights, long chunkTokens) {
        this.model = model;
        this.batch = batch;
        this.weights = weights;
        this.chunk = Math.max(1, chunkTokens);
    }

    /**
     * Per-sequence scores of decoder states {@code (rows, length, hidden)} through the final norm and the LM head,
     * chunk by chunk (with a graph, autograd keeps what each chunk's backward needs: its float32 log-softmax); in
     * {@code scope}.
     */
    CompletionScorer.Scores score(NDArray states, NDManager scope) {
        NDArray logps = scope.zeros(batch.completionLengths().getShape());
        NDArray logits = scope.zeros(batch.completionLengths().getShape());
        forEachChunk(states, scope, (scores, segments) -> {
            logps.addi(segments.matMul(scores.logps()));
            logits.addi(segments.matMul(scores.meanLogits()));
        });
        return new CompletionScorer.Scores(logps, logits.divi(batch.completionLengths()));
    }

    /**
     * Back-propagates the per-sequence gradient through the head, recomputing it chunk by chunk with a graph; returns
     * the gradient of {@code states}, in {@code scope}.
     */
    NDArray backward(NDArray states, NDArray sequenceGradient, NDManager scope) {
        states.setRequiresGradient(true);
        // each token's upstream gradient is its sequence's
        forEachChunk(states, scope, (scores, segments) ->
                Autograd.backward(scores.logps(), segments.transpose().matMul(sequenceGradient)));
        NDArray gradient = states.getGradient();
        gradient.attach(scope);
        return gradient;
    }

    /**
     * Scores the scored tokens a chunk at a time, each chunk in a manager of its own under {@code scope}, and hands its
     * token scores and its columns of the batch's segment matrix to {@code action}.
     */
    private void forEachChunk(NDArray states, NDManager scope, BiConsumer<TokenScores, NDArray> action) {
        long tokens = batch.targets().getShape().get(0);
        for (long start = 0; start < tokens; start += chunk) {
            try (NDManager step = scope.newSubManager()) {
                states.tempAttach(step); // the chunk's logits land in the manager of `states`: keep them here
                NDIndex range = new NDIndex("{}:{}", start, Math.min(tokens, start + chunk));
                NDArray rows = batch.scoredRows().get(range);
                rows.attach(step);
                TokenScores scores = tokenScores(states, rows, batch.targets().get(range));
                NDArray segments = batch.segments().get(new NDIndex(":, {}:{}", start,
                        Math.min(tokens, start + chunk)));
                segments.attach(step);
                action.accept(scores, segments);
            }
        }
    }

    /**
     * The log-probability (differentiable) and mean logit (detached) of each scored token, from the decoder states
     * before the final norm: rows are selected first, then normed and sent through the LM head.
     *
     * @param states decoder output of shape {@code (rows, length, hidden)}
     * @param rows flat rows of {@code states} that predict the scored tokens
     * @param targets the scored token ids
     */
    private TokenScores tokenScores(NDArray states, NDArray rows, NDArray targets) {
        long width = states.getShape().get(states.getShape().dimension() - 1);
        NDArray selected = model.finalNorm(states.reshape(-1, width).get(rows), weights);
        NDArray logits = widen(model.logits(selected, weights));
        NDArray logps = logits.logSoftmax(-1).gather(targets.reshape(-1, 1), 1).reshape(-1);
        return new TokenScores(logps, logits.stopGradient().mean(new int[] {-1}));
    }

    /**
     * Per-token scores.
     *
     * @param logps log-probability of each scored token
     * @param meanLogits mean logit over the vocabulary at each scored position (detached)
     */
    private record TokenScores(NDArray logps, NDArray meanLogits) {
    }

    /**
     * {@code x} in float32, keeping the graph: DJL's casts run outside autograd, but type promotion in a product
     * with a float32 one does not.
     */
    private static NDArray widen(NDArray x) {
        if (x.getDataType() == DataType.FLOAT32) {
            return x;
        }
        return x.mul(x.getManager().ones(new Shape(1), DataType.FLOAT32));
    }
}
