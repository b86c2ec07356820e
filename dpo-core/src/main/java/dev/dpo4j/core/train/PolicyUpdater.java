package dev.dpo4j.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.Weights;
import dev.dpo4j.core.optim.AdamW;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the policy's weights are read, receive gradients and are updated, in float32 or in mixed precision: the
 * weights a forward pass uses, the loss scale, and one optimizer step (unscale, global-norm clipping, AdamW, skipping
 * a step whose gradients overflowed). In float16 the forward pass reads {@link Float16Copies} and the loss scale is
 * dynamic; in float32 it reads the masters and the scale is 1.
 */
final class PolicyUpdater implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyUpdater.class);
    private static final int SCALE_GROWTH_INTERVAL = 2000;

    private final CausalLm policy;
    private final AdamW optimizer;
    private final double maxGradNorm;
    private final LossScaler scaler;
    private final Float16Copies half;

    /** Prepares the policy for training in {@code computeType} (float32 or float16). */
    PolicyUpdater(CausalLm policy, AdamW optimizer, DataType computeType, double maxGradNorm, NDManager manager) {
        this.policy = policy;
        this.optimizer = optimizer;
        this.maxGradNorm = maxGradNorm;
        boolean mixed = computeType == DataType.FLOAT16;
        this.scaler = new LossScaler(mixed, SCALE_GROWTH_INTERVAL);
        this.half = mixed ? new Float16Copies(policy, optimizer.gradients(), manager) : null;
        if (!mixed) {
            policy.parameters().values().forEach(weight -> weight.setRequiresGradient(true));
        }
    }

    /** Called before a step's first forward pass: float16 copies are refreshed from the masters. */
    void beginStep() {
        if (half != null) {
            half.refresh();
        }
    }

    /** The weights the training forward pass reads. */
    Weights weights() {
        return half != null ? half.weights() : policy.masterWeights();
    }

    /** The policy's float32 master weights by name: what the optimizer updates. */
    Map<String, NDArray> masters() {
        return policy.parameters();
    }

    /** The optimizer's flat weight and gradient buffers, with their members in buffer order. */
    List<AdamW.FlatGroup> flatGroups() {
        return optimizer.flatGroups();
    }

    /** The factor the loss is multiplied by before backward. */
    double lossScale() {
        return scaler.scale();
    }

    /** Called after each micro-batch's backward: float16 gradients move into float32 accumulators. */
    void afterBackward() {
        if (half != null) {
            half.accumulate();
        }
    }

    /**
     * Unscales, clips by global norm and applies AdamW, then clears the gradients; a step whose gradients are not
     * finite is skipped (and the loss scale lowered). Returns the unscaled norm before clipping.
     */
    double step(double learningRate, long step, NDManager scope) {
        if (half == null) {
            moveMasterGradients(scope);
        }
        double norm = Math.sqrt(optimizer.squaredGradientNorm()) / scaler.scale();
        boolean finite = Double.isFinite(norm);
        if (finite) {
            double clip = maxGradNorm > 0 ? Math.min(1.0, maxGradNorm / (norm + 1e-6)) : 1.0;
            optimizer.step(learningRate, clip / scaler.scale());
        } else {
            LOG.warn("step {}: gradient norm is {} at loss scale {}, skipping the update", step, norm,
                    scaler.scale());
            optimizer.clearGradients();
        }
        scaler.update(finite);
        return norm;
    }

    /** Float32 training: the masters' own gradients move into the optimizer's flat buffers. */
    private void moveMasterGradients(NDManager scope) {
        Map<String, NDArray> flat = optimizer.gradients();
        policy.parameters().forEach((name, weight) -> {
            NDArray gradient = weight.getGradient();
            gradient.attach(scope);
            flat.get(name).addi(gradient);
            ZeroFill.fill(gradient);
        });
    }

    /** Frees the float16 copies; the policy stops requiring gradients. */
    @Override
    public void close() {
        if (half != null) {
            half.close();
        }
        policy.parameters().values().forEach(weight -> weight.setRequiresGradient(false));
    }
}
