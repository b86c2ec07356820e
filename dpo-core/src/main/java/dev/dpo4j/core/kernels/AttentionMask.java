package dev.dpo4j.core.kernels;

import ai.djl.ndarray.NDArray;
import java.util.Objects;

/**
 * The keys each query of an attention may see, as an additive mask: 0 where a query may attend, a large negative
 * number where it may not. Its shape is {@code (length, length)} when the whole batch shares it, or
 * {@code (batch, length, length)} when every sequence has its own (a shared prompt). A mask that is exactly causal
 * says so, and a kernel with a built-in causal mode (flash attention) need not read it.
 *
 * <p>Rows that share a prompt may also come as {@link Views}: each completion with its prompt as one plain sequence,
 * so a kernel can run causal (flash) attention over the views instead of reading the per-row mask.
 *
 * @param additive the mask in the compute type; null with {@code views} for kernels that read only the views
 *     ({@link Kernels#readsViews()})
 * @param causal whether {@code additive} is the plain causal mask (nothing else blocked)
 * @param views the same attention as causal attention over views of the rows, or null
 */
public record AttentionMask(NDArray additive, boolean causal, Views views) {

    /** Checks the mask or the views are present. */
    public AttentionMask {
        if (additive == null && views == null) {
            throw new NullPointerException("an attention mask needs an additive mask or views");
        }
    }

    /** The plain causal mask: each query sees itself and the keys before it. */
    public static AttentionMask causal(NDArray additive) {
        return new AttentionMask(additive, true, null);
    }

    /** Any other mask: sliding windows, or per-sequence masks. */
    public static AttentionMask of(NDArray additive) {
        return new AttentionMask(additive, false, null);
    }

    /** A per-row mask that is also causal (or windowed) attention over {@code views}. */
    public static AttentionMask of(NDArray additive, Views views) {
        return new AttentionMask(additive, false, views);
    }

    /** Whether each sequence of the batch has a mask of its own, of shape {@code (batch, length, length)}. */
    public boolean perSequence() {
        return additive != null && additive.getShape().dimension() == 3;
    }

    /**
     * Rows as views, each a plain sequence whose index is its rotary position.
     *
     * @param tokens {@code (views, view_length)} int64: the flat row token at each view index (padding at the end of a
     *     view repeats a real token, which causal attention never looks back at)
     * @param sources {@code (rows, length)} int64: the flat view index whose output each row token takes
     * @param window additive {@code (view_length, view_length)} sliding-window mask over the views, or null for
     *     plain causal attention
     * @param packed the same rows as packed sequences, for flash attention's varlen kernel, or null
     */
    public record Views(NDArray tokens, NDArray sources, NDArray window, Packed packed) {

        /** Checks the index arrays are present. */
        public Views {
            Objects.requireNonNull(tokens, "tokens");
            Objects.requireNonNull(sources, "sources");
        }

        /** Views without packed sequences. */
        public Views(NDArray tokens, NDArray sources, NDArray window) {
            this(tokens, sources, window, null);
        }
    }

    /**
     * Rows as packed variable-length sequences: the queries are the flat row tokens as they stand, cut into sequences,
     * and each sequence's keys are gathered from the flat row tokens; causal attention is aligned to the end of each
     * sequence's keys (flash attention's varlen kernel), so a completion's queries see the prompt before them.
     *
     * @param keyTokens {@code (keys)} int64: the flat row token of each packed key
     * @param starts {@code (2, sequences + 1)} int32: where each sequence's queries start among the flat row tokens,
     *     then where its keys start among {@code keyTokens}; each row ends with the total
     * @param longest an array of no elements of shape {@code (longest query, longest key, 0)}
     * @param window the sliding window in positions, or 0 for plain causal attention
     */
    public record Packed(NDArray keyTokens, NDArray starts, NDArray longest, int window) {

        /** Checks the arrays are present. */
        public Packed {
            Objects.requireNonNull(keyTokens, "keyTokens");
            Objects.requireNonNull(starts, "starts");
            Objects.requireNonNull(longest, "longest");
        }

        /** The same sequences under a sliding window of {@code size} positions. */
        public Packed withWindow(int size) {
            return new Packed(keyTokens, starts, longest, size);
        }
    }
}
