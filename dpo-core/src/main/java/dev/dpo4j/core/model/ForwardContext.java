package dev.dpo4j.core.model;

import ai.djl.ndarray.NDList;
import dev.dpo4j.core.kernels.AttentionMask;

/**
 * What every decoder layer of one forward pass shares ({@link CausalLm#layer}).
 *
 * @param rope cosine and sine tables, shared by the batch or per sequence ({@link CausalLm#rotaryTables})
 * @param causalMask the causal mask, or the per-sequence block mask of a shared prefix
 * @param slidingMask that mask also blocking tokens beyond the window, or null
 * @param window the layers that use {@code slidingMask}, or null
 */
public record ForwardContext(NDList rope, AttentionMask causalMask, AttentionMask slidingMask,
        ModelConfig.SlidingWindow window) {

    /** The mask decoder layer {@code layer} applies. */
    public AttentionMask mask(int layer) {
        return window != null && window.appliesTo(layer) ? slidingMask : causalMask;
    }
}
