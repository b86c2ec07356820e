package dev.dpo4j.core.scoring;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
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
     * {@code scope}. With {@code statistics}, also the per-sequence {@link TokenStatistics}, computed from each
     * chunk's detached log-softmax in slices of at most {@link TokenStatistics#SLICE_ELEMENTS}, so they keep no
     * logits and add a bounded amount of memory.
     */
    CompletionScorer.Scores score(NDArray states, NDManager scope, boolean statistics) {
        Shape sequences = batch.completionLengths().getShape();
        NDArray logps = scope.zeros(sequences);
        NDArray logits = scope.zeros(sequences);
        NDArray[] sums = statistics ? new NDArray[] {scope.zeros(sequences), scope.zeros(sequences),
                scope.zeros(sequences)} : new NDArray[0];
        forEachChunk(states, scope, statistics, (scores, columns) -> {
            logps.addi(columns.logps().matMul(scores.logps()));
            logits.addi(columns.tokens().matMul(scores.meanLogits()));
            for (int i = 0; i < sums.length; i++) {
                sums[i].addi(columns.tokens().matMul(scores.statistics().get(i)));
            }
        });
        return new CompletionScorer.Scores(logps, logits.divi(batch.completionLengths()),
                statistics ? new TokenStatistics(sums[0], sums[1], sums[2]) : null);
    }

    /**
     * Back-propagates the per-sequence gradient through the head, recomputing it chunk by chunk with a graph; returns
     * the gradient of {@code states}, in {@code scope}.
     */
    NDArray backward(NDArray states, NDArray sequenceGradient, NDManager scope) {
        states.setRequiresGradient(true);
        // each token's upstream gradient is its sequence's, times its weight in the sequence's sum
        forEachChunk(states, scope, false, (scores, columns) ->
                Autograd.backward(scores.logps(), columns.logps().transpose().matMul(sequenceGradient)));
        NDArray gradient = states.getGradient();
        gradient.attach(scope);
        return gradient;
    }

    /**
     * Scores the scored tokens a chunk at a time, each chunk in a manager of its own under {@code scope}, and hands its
     * token scores and its columns of the batch's segment matrices to {@code action}.
     */
    private void forEachChunk(NDArray states, NDManager scope, boolean statistics,
            BiConsumer<TokenScores, Columns> action) {
        long tokens = batch.targets().getShape().get(0);
        for (long start = 0; start < tokens; start += chunk) {
            try (NDManager step = scope.newSubManager()) {
                states.tempAttach(step); // the chunk's logits land in the manager of `states`: keep them here
                long end = Math.min(tokens, start + chunk);
                NDIndex range = new NDIndex("{}:{}", start, end);
                NDArray rows = batch.scoredRows().get(range);
                rows.attach(step);
                TokenScores scores = tokenScores(states, rows, batch.targets().get(range), statistics);
                NDIndex columns = new NDIndex(":, {}:{}", start, end);
                NDArray segments = batch.segments().get(columns);
                segments.attach(step);
                NDArray logpSegments = segments;
                if (batch.logpSegments() != batch.segments()) {
                    logpSegments = batch.logpSegments().get(columns);
                    logpSegments.attach(step);
                }
                action.accept(scores, new Columns(segments, logpSegments));
            }
        }
    }

    /**
     * A chunk's columns of the segment matrices.
     *
     * @param tokens sums each token once into its sequence
     * @param logps sums each token's log-prob into its sequence with its weight (LD-DPO)
     */
    private record Columns(NDArray tokens, NDArray logps) {
    }

    /**
     * The log-probability (differentiable) and mean logit (detached) of each scored token, from the decoder states
     * before the final norm: rows are selected first, then normed and sent through the LM head; with
     * {@code statistics}, the token's {@link TokenStatistics#ofTokens} too.
     *
     * @param states decoder output of shape {@code (rows, length, hidden)}
     * @param rows flat rows of {@code states} that predict the scored tokens
     * @param targets the scored token ids
     */
    private TokenScores tokenScores(NDArray states, NDArray rows, NDArray targets, boolean statistics) {
        long width = states.getShape().get(states.getShape().dimension() - 1);
        NDArray selected = model.finalNorm(states.reshape(-1, width).get(rows), weights);
        NDArray logits = widen(model.logits(selected, weights));
        NDArray logSoftmax = logits.logSoftmax(-1);
        NDArray logps = logSoftmax.gather(targets.reshape(-1, 1), 1).reshape(-1);
        return new TokenScores(logps, logits.stopGradient().mean(new int[] {-1}),
                statistics ? TokenStatistics.ofTokens(logSoftmax.stopGradient(), targets) : new NDList());
    }

    /**
     * Per-token scores.
     *
     * @param logps log-probability of each scored token
     * @param meanLogits mean logit over the vocabulary at each scored position (detached)
     * @param statistics each token's entropy, hit and WPO log-prob ({@link TokenStatistics#ofTokens}), or none
     */
    private record TokenScores(NDArray logps, NDArray meanLogits, NDList statistics) {
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
