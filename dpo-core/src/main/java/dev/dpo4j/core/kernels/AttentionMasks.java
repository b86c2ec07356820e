package dev.dpo4j.core.kernels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * Builds the {@link AttentionMask}s of a forward pass: the causal mask and its sliding-window variant for plain rows,
 * and the per-row block masks (and views) of rows that share a prompt.
 */
public final class AttentionMasks {

    private AttentionMasks() {
    }

    /**
     * The masks every decoder layer of one pass applies.
     *
     * @param causal the causal mask, or the per-row block mask of a shared prompt
     * @param sliding that mask also blocking keys beyond the sliding window, or null when the rows are no longer than
     *     the window (or there is none)
     */
    public record Pair(AttentionMask causal, AttentionMask sliding) {
    }

    /**
     * The causal mask of sequences of {@code length} tokens, and the sliding-window mask when {@code window} (0 for
     * none) is shorter than {@code length}.
     */
    public static Pair causal(NDManager arrays, int length, int window, DataType type, Kernels kernels) {
        boolean windowed = window > 0 && window < length;
        return new Pair(AttentionMask.causal(causalMask(arrays, length, type, 0, kernels)),
                windowed ? AttentionMask.of(causalMask(arrays, length, type, window, kernels)) : null);
    }

    /**
     * The block masks of rows that each hold a shared prefix followed by several sequences (a prompt and its
     * completions): query {@code i} may attend to key {@code j} when {@code j} comes no later in the row and is in
     * block 0 (the prefix) or in the block of {@code i}. Every key may see itself, so no row of the masks is fully
     * blocked. The sliding window, if any, counts positions, not indices, so each sequence sees the prefix as it would
     * alone. With views and kernels that read only them ({@link Kernels#readsViews()}) the block masks are not built.
     *
     * @param positions {@code (batch, length)} int64 rotary position of each token, each below {@code length}
     * @param blocks {@code (batch, length)} integer block of each token: 0 for the shared prefix
     * @param viewTokens the rows as views ({@link AttentionMask.Views#tokens()}), for kernels that attend over them;
     *     null for none
     * @param tokenSources where each row token's output stands in the views ({@link AttentionMask.Views#sources()});
     *     null with {@code viewTokens}
     * @param packed the views also as packed sequences (with no window: the sliding mask's views get {@code window}),
     *     or null
     * @param window the sliding window in positions, or 0 for none
     */
    public static Pair blocks(NDManager arrays, NDArray positions, NDArray blocks, NDArray viewTokens,
            NDArray tokenSources, AttentionMask.Packed packed, int window, DataType type, Kernels kernels) {
        long batch = positions.getShape().get(0);
        int length = (int) positions.getShape().get(1);
        boolean windowed = window > 0 && window < length;
        // kernels that attend over the views never read the (batch, length, length) block masks: none are built
        boolean masks = viewTokens == null || !kernels.readsViews();
        // the (batch, length, length) intermediates are freed at once; only the masks are kept
        try (NDManager scratch = arrays.newSubManager()) {
            positions.tempAttach(scratch);
            blocks.tempAttach(scratch);
            NDList kept = new NDList();
            if (masks) {
                NDArray rows = scratch.arange(length).reshape(length, 1);
                NDArray columns = scratch.arange(length).reshape(1, length);
                NDArray keyBlocks = blocks.reshape(batch, 1, length);
                NDArray otherBlock = keyBlocks.neq(blocks.reshape(batch, length, 1)).logicalAnd(keyBlocks.neq(0));
                NDArray blocked = otherBlock.logicalOr(columns.gt(rows));
                kept.add(additive(blocked, type, kernels));
                if (windowed) {
                    NDArray distance = positions.reshape(batch, length, 1).sub(positions.reshape(batch, 1, length));
                    kept.add(additive(blocked.logicalOr(distance.gte(window)), type, kernels));
                }
            }
            int maskCount = kept.size();
            int viewLength = viewTokens == null ? 0 : (int) viewTokens.getShape().get(1);
            boolean viewsWindowed = viewTokens != null && window > 0 && window < viewLength;
            NDArray viewWindow = viewsWindowed ? causalMask(scratch, viewLength, type, window, kernels) : null;
            if (viewWindow != null) {
                kept.add(viewWindow);
            }
            kept.attach(arrays);
            AttentionMask.Views views = viewTokens == null ? null
                    : new AttentionMask.Views(viewTokens, tokenSources, null, packed);
            AttentionMask.Views windowViews = viewWindow == null ? views
                    : new AttentionMask.Views(viewTokens, tokenSources, viewWindow,
                            packed == null ? null : packed.withWindow(window));
            NDArray causalMask = maskCount > 0 ? kept.get(0) : null;
            NDArray slidingMask = maskCount > 1 ? kept.get(1) : null;
            return new Pair(AttentionMask.of(causalMask, views),
                    windowed ? AttentionMask.of(slidingMask, windowViews) : null);
        }
    }

    /**
     * 0 where a position may attend, a large negative number where it may not: far below any real score, so softmax
     * gives it weight 0, yet far enough from the type's limit that adding a score never overflows (the float32 lowest
     * value made some CPU steps NaN; float16 overflows to -inf past 65504). With a {@code window} above 0, a query
     * also may not attend to keys {@code window} or more positions back.
     */
    private static NDArray causalMask(NDManager arrays, int length, DataType type, int window, Kernels kernels) {
        NDArray rows = arrays.arange(length).reshape(length, 1);
        NDArray columns = arrays.arange(length).reshape(1, length);
        NDArray blocked = columns.gt(rows);
        if (window > 0) {
            blocked = blocked.logicalOr(rows.sub(columns).gte(window));
        }
        return additive(blocked, type, kernels);
    }

    /**
     * The additive mask of a boolean one: 0 where not {@code blocked}, the large negative number where blocked; made in
     * float32 and cast through the kernels (DJL has no bfloat16 cast).
     */
    private static NDArray additive(NDArray blocked, DataType type, Kernels kernels) {
        NDArray mask = blocked.toType(DataType.FLOAT32, false).mul(type == DataType.FLOAT16 ? -30000f : -1e30f);
        return type == DataType.FLOAT32 ? mask : kernels.cast(mask, type);
    }
}
