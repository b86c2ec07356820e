package dev.dpo4j.core.placement;

import dev.dpo4j.core.model.Weights;

/**
 * The policy's weights as one device's forward pass reads them (in the compute type), and the way back for the
 * gradients that pass leaves on them: what a worker holds between the optimizer's state and its scoring.
 *
 * <p>A {@link StatePlacement} makes the copies of the trained weights on each device (the float32 masters themselves,
 * half-precision copies, or a mirror on another device) and decides where {@link #drainGradients()} sends each run and
 * where {@link #refresh()} reads it from; the trained model ({@code trained.TrainedModel}) may wrap them, as LoRA puts
 * its adapters' copies over a frozen base.
 */
public interface DeviceWeights extends AutoCloseable {

    /** The weights the forward pass reads, by Hugging Face name. */
    Weights view();

    /** Takes in the current master weights: after each optimizer step, and once before the first. */
    void refresh();

    /**
     * Adds the gradients left on {@link #view()} by the micro-batches run since the last call into the optimizer's
     * float32 gradients, and clears them.
     */
    void drainGradients();

    /**
     * The weights of the reference when it is this same model with its trained adapters switched off (LoRA): the
     * frozen base, or the base with the frozen adapter training started from; null when the reference is no part of
     * this view.
     */
    default Weights referenceView() {
        return null;
    }

    /** Frees what this view allocated (not the masters). */
    @Override
    void close();
}
