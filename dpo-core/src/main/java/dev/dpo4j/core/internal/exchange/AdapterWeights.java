package dev.dpo4j.core.internal.exchange;

import ai.djl.ndarray.NDArray;
import dev.dpo4j.core.lora.LoraAdapters;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.Weights;

/**
 * A worker's view of a LoRA policy: the frozen base on its device in the compute type, which needs no gradient, plus
 * the trained adapters read through another view ({@code copies}: the float32 masters, their half-precision copies,
 * or a mirror on another device), which carries their gradients back. Its reference is the same base with the
 * adapters off, or with the frozen adapter training started from.
 */
public final class AdapterWeights implements WorkerWeights {

    private final CausalLm base;
    private final boolean ownsBase;
    private final WorkerWeights copies;
    private final LoraAdapters adapters;
    private final LoraAdapters reference;
    private final NDArray scale;
    private final double dropout;

    /**
     * @param base the frozen base on this worker's device, closed with this view when {@code ownsBase}
     * @param copies the adapters as this worker reads them, closed with this view
     * @param adapters the trained adapters (their masters), for their modules and scale
     * @param reference the frozen reference adapters on this device, closed with this view; null: adapters off
     * @param dropout the adapters' input dropout while training
     */
    public AdapterWeights(CausalLm base, boolean ownsBase, WorkerWeights copies, LoraAdapters adapters,
            LoraAdapters reference, double dropout) {
        this.base = base;
        this.ownsBase = ownsBase;
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
        if (reference != null) {
            reference.close();
        }
        if (ownsBase) {
            base.close();
        }
    }
}
