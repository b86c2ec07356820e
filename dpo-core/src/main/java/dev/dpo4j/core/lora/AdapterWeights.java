package dev.dpo4j.core.lora;

import ai.djl.ndarray.NDArray;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.Weights;
import dev.dpo4j.core.placement.DeviceWeights;

/**
 * A worker's view of a LoRA policy: the frozen base on its device in the compute type, which needs no gradient, plus
 * the trained adapters read through another view ({@code copies}: the float32 masters, their half-precision copies,
 * or a mirror on another device), which carries their gradients back. Its reference is the same base with the
 * adapters off, or with the frozen adapter training started from.
 */
final class AdapterWeights implements DeviceWeights {

    private final CausalLm base;
    private final boolean copied;
    private final DeviceWeights copies;
    private final LoraAdapters adapters;
    private final LoraAdapters reference;
    private final NDArray scale;
    private final double dropout;

    /**
     * @param base the frozen base on this worker's device
     * @param copied whether {@code base} and {@code reference} are this view's copies on its device, closed with it
     *     (on the first device they are the trained model's own)
     * @param copies the adapters as this worker reads them, closed with this view
     * @param adapters the trained adapters (their masters), for their modules and scale
     * @param reference the frozen reference adapters on this device; null: adapters off
     * @param dropout the adapters' input dropout while training
     */
    AdapterWeights(CausalLm base, boolean copied, DeviceWeights copies, LoraAdapters adapters,
            LoraAdapters reference, double dropout) {
        this.base = base;
        this.copied = copied;
        this.copies = copies;
        this.adapters = adapters;
        this.reference = reference;
        this.dropout = dropout;
        this.scale = adapters.scaleOn(base.manager());
    }

    @Override
    public Weights view() {
        return adapters.view(base.weights(), copies.view(), scale, dropout);
    }

    /** The base alone, or with the frozen reference adapters. */
    @Override
    public Weights referenceView() {
        return reference == null ? base.weights() : reference.over(base.weights());
    }

    @Override
    public void refresh() {
        copies.refresh();
    }

    @Override
    public void drainGradients() {
        copies.drainGradients();
    }

    @Override
    public void close() {
        copies.close();
        scale.close();
        if (copied) {
            if (reference != null) {
                reference.close();
            }
            base.close();
        }
    }
}
