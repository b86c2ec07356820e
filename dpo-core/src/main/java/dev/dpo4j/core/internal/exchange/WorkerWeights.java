package dev.dpo4j.core.internal.exchange;

import dev.dpo4j.core.model.Weights;

/**
 * The policy's weights as one worker's forward pass reads them (in the compute type), and the way back for the
 * gradients that pass leaves on them. The optimizer owns the float32 master weights and their float32 gradients;
 * each worker owns one of these, so what a worker reads and where its gradients go is decided here and nowhere
 * else.
 *
 * <p>Implementations: the masters themselves (float32 on the primary device), {@code HalfCopies} (float16 or bfloat16
 * on the primary), {@link MirrorWeights} (any other device). This is the seam for what comes next: weights that are a
 * frozen base plus trainable adapters (LoRA) give a view whose base needs no gradient ({@link AdapterWeights}), and an optimizer whose state
 * is split across devices (ZeRO-1) changes where {@link #drainGradients()} sends each run and where
 * {@link #refresh()} reads it from, not the workers.
 */
public interface WorkerWeights extends AutoCloseable {

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
