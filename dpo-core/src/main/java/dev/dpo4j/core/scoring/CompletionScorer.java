package dev.dpo4j.core.scoring;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.dpo4j.core.data.PairBatch;
import dev.dpo4j.core.kernels.AttentionMask;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.Weights;
import java.util.function.BiConsumer;

/**
 * Scores completions: the summed log-probability of each sequence's completion tokens and its mean logit.
 * Only completion positions go through the LM head, so the full {@code (sequences, length, vocab)} logits are
 * never formed; log-softmax runs in float32.
 */
public final class CompletionScorer {

    private CompletionScorer() {
    }

    /**
     * Scores a batch with one forward pass over all chosen and rejected sequences, in either layout, the LM head in
     * chunks of {@link #headChunkElements} logits.
     *
     * @return per-sequence summed completion log-probs (differentiable) and mean completion logits (detached),
     *     each of shape {@code (2 * pairs)}, chosen sequences first
     */
    public static Scores score(CausalLm model, PairBatch.Arrays batch, Weights weights, DataType computeType) {
        return score(model, batch, weights, computeType, headChunkElements(model.config().vocabSize()));
    }

    /**
     * As {@link #score(CausalLm, PairBatch.Arrays, Weights, DataType)}, the LM head over chunks of scored tokens
     * ({@link #headInChunks}), so that at most {@code headChunkElements} logits exist at once. With a graph, autograd
     * keeps each chunk's float32 log-softmax and back-propagates the chunks one at a time, so only one chunk's
     * gradients exist at once; without one (the reference, evaluation) nothing is kept.
     */
    public static Scores score(CausalLm model, PairBatch.Arrays batch, Weights weights, DataType computeType,
            long headChunkElements) {
        NDManager outer = batch.inputIds().getManager();
        NDArray hidden = model.decoderStates(batch.inputIds(), context(model, batch, computeType, outer), weights);
        // the head in a sub-manager too, keeping only the per-sequence results
        try (NDManager head = outer.newSubManager()) {
            hidden.attach(head);
            Scores scores = headInChunks(model, hidden, batch, weights,
                    headChunkElements / model.config().vocabSize(), head);
            scores.logps().attach(outer);
            scores.meanLogits().attach(outer);
            return scores;
        }
    }

    /**
     * Logit elements the LM head computes at once at least (16 Mi: 64 MiB in float32); a vocabulary over 8k has
     * chunks of {@link #HEAD_CHUNK_TOKENS} (or {@link #RECOMPUTED_HEAD_CHUNK_TOKENS}) tokens instead. A chunk costs ten
     * small calls.
     */
    public static final long HEAD_CHUNK_ELEMENTS = 1L << 24;
    /**
     * Scored tokens a head chunk holds at least in the plain pass and in passes without a graph, so that a large
     * vocabulary does not cut the head into many calls. On an H200 (2026-12-01, 4 pairs of 4096 tokens) chunks of 2048
     * tokens made a step 3% faster than chunks of 512 for Llama-1B (128k vocabulary) and Qwen2.5-0.5B (152k), and
     * 8192 no faster again; the plain pass with them ran as fast as with its head in one piece.
     */
    public static final int HEAD_CHUNK_TOKENS = 2048;
    /**
     * Scored tokens a head chunk holds at least in a recomputing pass ({@code CheckpointedPass}), which runs where
     * memory is short: a chunk's backward takes about 14 bytes a logit, 1.1 GiB at 512 tokens of a 152k vocabulary
     * against 4.3 at 2048.
     */
    public static final int RECOMPUTED_HEAD_CHUNK_TOKENS = 512;

    /**
     * Logit elements a head chunk holds for a vocabulary of {@code vocab} in the plain pass and without a graph:
     * {@link #HEAD_CHUNK_ELEMENTS}, or {@link #HEAD_CHUNK_TOKENS} tokens of it when that is more.
     */
    public static long headChunkElements(int vocab) {
        return Math.max(HEAD_CHUNK_ELEMENTS, (long) HEAD_CHUNK_TOKENS * vocab);
    }

    /** As {@link #headChunkElements} for a recomputing pass ({@link #RECOMPUTED_HEAD_CHUNK_TOKENS}). */
    public static long recomputedHeadChunkElements(int vocab) {
        return Math.max(HEAD_CHUNK_ELEMENTS, (long) RECOMPUTED_HEAD_CHUNK_TOKENS * vocab);
    }

    /**
     * Per-sequence scores of decoder states {@code (rows, length, hidden)} through the final norm and the LM head,
     * {@code chunkTokens} scored tokens at a time, each chunk's logits freed before the next (with a graph, autograd
     * keeps what the chunk's backward needs: its float32 log-softmax); in {@code scope}.
     */
    public static Scores headInChunks(CausalLm model, NDArray states, PairBatch.Arrays batch, Weights weights,
            long chunkTokens, NDManager scope) {
        NDArray logps = scope.zeros(batch.completionLengths().getShape());
        NDArray logits = scope.zeros(batch.completionLengths().getShape());
        forEachHeadChunk(model, states, batch, weights, chunkTokens, scope, (scores, segments) -> {
            logps.addi(segments.matMul(scores.logps()));
            logits.addi(segments.matMul(scores.meanLogits()));
        });
        return new Scores(logps, logits.divi(batch.completionLengths()));
    }

    /**
     * Scores the scored tokens {@code chunkTokens} at a time, each chunk in a manager of its own under {@code scope},
     * and hands its token scores and its columns of the batch's segment matrix to {@code action}.
     */
    public static void forEachHeadChunk(CausalLm model, NDArray states, PairBatch.Arrays batch, Weights weights,
            long chunkTokens, NDManager scope, BiConsumer<TokenScores, NDArray> action) {
        long tokens = batch.targets().getShape().get(0);
        long chunk = Math.max(1, chunkTokens);
        for (long start = 0; start < tokens; start += chunk) {
            try (NDManager step = scope.newSubManager()) {
                states.tempAttach(step); // the chunk's logits land in the manager of `states`: keep them here
                NDIndex range = new NDIndex("{}:{}", start, Math.min(tokens, start + chunk));
                NDArray rows = batch.scoredRows().get(range);
                rows.attach(step);
                TokenScores scores = tokenScores(model, states, rows, batch.targets().get(range), weights);
                NDArray segments = batch.segments().get(new NDIndex(":, {}:{}", start,
                        Math.min(tokens, start + chunk)));
                segments.attach(step);
                action.accept(scores, segments);
            }
        }
    }

    /**
     * The rotary tables and masks of a forward pass over the batch, in {@code arrays}: the plain causal ones for
     * unshared rows, the per-row block masks and positions of a shared prompt otherwise.
     */
    public static CausalLm.ForwardContext context(CausalLm model, PairBatch.Arrays batch, DataType computeType,
            NDManager arrays) {
        if (batch.shared()) {
            PairBatch.PackedArrays packed = batch.packed();
            return model.context(arrays, batch.positionIds(), batch.blocks(), batch.viewTokens(),
                    batch.tokenSources(), packed == null ? null
                            : new AttentionMask.Packed(packed.keyTokens(), packed.starts(), packed.longest(), 0),
                    computeType);
        }
        return model.context(arrays, (int) batch.inputIds().getShape().get(1), computeType);
    }

    /**
     * The log-probability (differentiable) and mean logit (detached) of each scored token, from the decoder states
     * before the final norm: rows are selected first, then normed and sent through the LM head.
     *
     * @param states decoder output of shape {@code (rows, length, hidden)}
     * @param rows flat rows of {@code states} that predict the scored tokens
     * @param targets the scored token ids
     */
    public static TokenScores tokenScores(CausalLm model, NDArray states, NDArray rows, NDArray targets,
            Weights weights) {
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
    public record TokenScores(NDArray logps, NDArray meanLogits) {
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
