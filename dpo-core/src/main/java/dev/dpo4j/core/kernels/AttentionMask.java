package dev.dpo4j.core.kernels;

import ai.djl.ndarray.NDArray;
import java.util.Objects;

/**
 * The keys each query of an attention may see, as an additive mask: 0 where a query may attend, a large negative
 * number where it may not. Its shape is {@code (length, length)} when the whole batch shares it, or
 * {@code (batch, length, length)} when every sequence has its own (a shared prompt). A mask that is exactly causal
 * says so, and a kernel with a built-in causal mode (flash attention) need not read it.
 *
 * @param additive the mask in the compute type
 * @param causal whether {@code additive} is the plain causal mask (nothing else blocked)
 */
public record AttentionMask(NDArray additive, boolean causal) {

    /** Checks the array is present. */
    public AttentionMask {
        Objects.requireNonNull(additive, "additive");
    }

    /** The plain causal mask: each query sees itself and the keys before it. */
    public static AttentionMask causal(NDArray additive) {
        return new AttentionMask(additive, true);
    }

    /** Any other mask: sliding windows, or per-sequence masks. */
    public static AttentionMask of(NDArray additive) {
        return new AttentionMask(additive, false);
    }

    /** Whether each sequence of the batch has a mask of its own, of shape {@code (batch, length, length)}. */
    public boolean perSequence() {
        return additive.getShape().dimension() == 3;
    }
}
