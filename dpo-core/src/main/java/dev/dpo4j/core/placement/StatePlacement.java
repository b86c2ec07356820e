package dev.dpo4j.core.placement;

import ai.djl.ndarray.NDManager;
import dev.dpo4j.core.optim.OptimizerState;

/**
 * Where the optimizer's float32 state lives (the master weights of what is trained, their gradients and the AdamW
 * moments) and how each device's copy of the weights exchanges with it: gradients in after each micro-step, new
 * weights out after each update. DeepSpeed's ZeRO names the same choice: the state whole on one device (today's
 * placement, and ZeRO stage 0), split across ranks (stage 1 and 2), or kept in host memory (ZeRO-Offload).
 *
 * <p>The step machinery calls it in one order: {@link #copiesOn} once per device, then per step each device's
 * {@link DeviceWeights#drainGradients()} and one {@link #step}, then each device's {@link DeviceWeights#refresh()}.
 * What is trained (every weight, or adapters) is not its concern: it holds the flat buffers of whatever weights it was
 * given.
 */
public interface StatePlacement extends OptimizerState, AutoCloseable {

    /**
     * The trained weights as device {@code index} of the run reads them, in the compute type, allocated under
     * {@code manager} on that device: 0 is the first device's. Each device asks once; closing the copies frees them.
     */
    DeviceWeights copiesOn(int index, NDManager manager);

    /**
     * Unscales, clips by global norm and applies one AdamW update to the masters, then clears the gradients; a step
     * whose gradients are not finite leaves weights, moments and the step count as they were.
     *
     * @param maxNorm the global-norm clip (0: none)
     * @param lossScale the factor the gradients carry (float16 loss scaling; 1 otherwise)
     * @return the global norm of the unscaled gradients before clipping; not finite when the step was skipped
     */
    double step(double learningRate, double maxNorm, double lossScale);

    /**
     * A micro-step of a step in which this rank ran no micro-batch (a step's last micro-batches do not reach every
     * rank): a placement that exchanges gradients after every micro-step (ZeRO stage 2) joins that exchange with
     * nothing to add, so every rank makes the same calls.
     */
    default void idleMicroStep() {
    }

    /** Drops the gradients gathered since the last step (a step that failed part-way). */
    void clearGradients();

    /** Frees the state (the masters keep their storage while the trained model holds them). */
    @Override
    void close();
}
