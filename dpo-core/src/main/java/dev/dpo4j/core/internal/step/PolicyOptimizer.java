package dev.dpo4j.core.internal.step;

import dev.dpo4j.core.optim.LossScaler;
import dev.dpo4j.core.placement.DeviceWeights;
import dev.dpo4j.core.placement.StatePlacement;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The optimizer side of training: the float32 master weights, their gradients and moments (wherever the
 * {@link StatePlacement} keeps them), the loss scale, global-norm clipping, the AdamW update, and the exchange with
 * the workers, in one order that the types enforce. {@link #begin()} opens a {@link Step}, first handing the current
 * weights to every worker; each micro-step's gradients go in through {@link Step#accumulate(List)};
 * {@link Step#apply(double, long)} updates the masters once. Workers read the new weights from the next
 * {@link #begin()} or {@link #publish()} on, as late as possible, so the copies are made when the update's
 * temporaries are gone. A step closed without being applied (a failed micro-batch) drops its gradients, so the next
 * step starts clean.
 *
 * <p>Where the state lives is the placement's business: one whose state is split across ranks (ZeRO-1) or kept in
 * host memory keeps this call order and changes where each worker's gradients go and where its weights come from.
 */
public final class PolicyOptimizer {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyOptimizer.class);
    /** Clean steps before a float16 loss scale doubles, as {@code torch.amp.GradScaler}. */
    public static final int SCALE_GROWTH_INTERVAL = 2000;

    private final StatePlacement placement;
    private final double maxGradNorm;
    private final LossScaler scaler;
    private final List<DeviceWeights> workers;
    private Step open;
    private boolean stale;

    /**
     * @param placement where the masters, gradients and moments live, and the update over them
     * @param maxGradNorm the global-norm clipping threshold (0: none)
     * @param scaler the loss scale (fixed at 1 for float32)
     * @param workers every worker's view of the weights, current when given; each receives the new weights
     */
    public PolicyOptimizer(StatePlacement placement, double maxGradNorm, LossScaler scaler,
            List<DeviceWeights> workers) {
        this.placement = placement;
        this.maxGradNorm = maxGradNorm;
        this.scaler = scaler;
        this.workers = List.copyOf(workers);
    }

    /** Opens the next step, the workers reading the current weights; the previous step must be closed. */
    public Step begin() {
        if (open != null) {
            throw new IllegalStateException("a step is already open");
        }
        publish();
        open = new Step();
        return open;
    }

    /** Hands the masters' current values to every worker if a step changed them since (before evaluating). */
    public void publish() {
        if (stale) {
            workers.forEach(DeviceWeights::refresh);
            stale = false;
        }
    }

    /** One optimizer step: gradients accumulate, then one update; closing it ends the step. */
    public final class Step implements AutoCloseable {
        private boolean applied;
        private boolean closed;

        private Step() {
        }

        /** The factor a micro-batch's loss is multiplied by before backward: its share of the step times the scale. */
        public double lossFactor(double share) {
            return share * scaler.scale();
        }

        /** After a micro-step: the gradients of the workers that ran move into the float32 gradients. */
        public void accumulate(List<? extends DeviceWeights> ran) {
            requireOpen("accumulate");
            ran.forEach(DeviceWeights::drainGradients);
        }

        /** A micro-step in which this rank ran nothing, while other ranks did ({@link StatePlacement#idleMicroStep}). */
        public void idle() {
            requireOpen("idle");
            placement.idleMicroStep();
        }

        /**
         * Unscales, clips by global norm and applies AdamW, then clears the gradients; a step whose gradients are not
         * finite is skipped and the loss scale lowered. Workers see the new weights from the next {@link #begin()}
         * or {@link #publish()} on.
         *
         * @return the unscaled gradient norm before clipping
         */
        public double apply(double learningRate, long stepNumber) {
            requireOpen("apply");
            applied = true;
            double norm = placement.step(learningRate, maxGradNorm, scaler.scale());
            boolean finite = Double.isFinite(norm);
            if (!finite) {
                LOG.warn("step {}: gradient norm is {} at loss scale {}, skipped the update", stepNumber, norm,
                        scaler.scale());
            }
            scaler.update(finite);
            stale = true;
            return norm;
        }

        private void requireOpen(String call) {
            if (closed || applied) {
                throw new IllegalStateException(call + "(...) on a step that is " + (closed ? "closed" : "applied"));
            }
        }

        /** Ends the step; one that was not applied drops its gradients. */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            open = null;
            if (!applied) {
                placement.clearGradients();
            }
        }
    }
}
