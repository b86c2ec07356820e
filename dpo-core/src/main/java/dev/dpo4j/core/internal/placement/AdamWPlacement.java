package dev.dpo4j.core.internal.placement;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.dpo4j.core.kernels.Kernels;
import dev.dpo4j.core.optim.AdamW;
import dev.dpo4j.core.optim.Shard;
import dev.dpo4j.core.placement.StatePlacement;
import java.util.List;
import java.util.Map;

/**
 * What every placement of one {@link AdamW} shares: the update, the checkpointed state and the weights the devices
 * copy; a placement decides where the state lives and what copies the devices read ({@link #copiesOn}).
 */
abstract class AdamWPlacement implements StatePlacement {

    /** The update, holding the masters' flat buffers, gradient accumulators and moments. */
    protected final AdamW adamW;
    /** The float32 master weights by name, views of {@link #adamW}'s flat buffers. */
    protected final Map<String, NDArray> masters;
    /** Module groups whose copies are stacked into one leaf ({@code FusedProjections}). */
    protected final List<List<String>> stackable;
    /** The type the devices compute in. */
    protected final DataType computeType;
    /** The casts of the copies. */
    protected final Kernels kernels;

    AdamWPlacement(AdamW adamW, Map<String, NDArray> masters, List<List<String>> stackable, DataType computeType,
            Kernels kernels) {
        this.adamW = adamW;
        this.masters = masters;
        this.stackable = stackable;
        this.computeType = computeType;
        this.kernels = kernels;
    }

    @Override
    public double step(double learningRate, double maxNorm, double lossScale) {
        return adamW.step(learningRate, maxNorm, lossScale);
    }

    @Override
    public void clearGradients() {
        adamW.clearGradients();
    }

    @Override
    public Map<String, NDArray> state() {
        return adamW.state();
    }

    @Override
    public long steps() {
        return adamW.steps();
    }

    @Override
    public void restore(Map<String, NDArray> saved, long stepCount) {
        adamW.restore(saved, stepCount);
    }

    @Override
    public Shard shard() {
        return adamW.shard();
    }

    @Override
    public Map<String, Shape> momentShapes() {
        return adamW.momentShapes();
    }

    @Override
    public Map<String, Long> wholeLengths() {
        return adamW.wholeLengths();
    }

    @Override
    public void restorePart(String key, long offset, NDArray values, long stepCount) {
        adamW.restorePart(key, offset, values, stepCount);
    }

    /** Frees the optimizer's buffers (the masters keep their storage while the trained model holds them). */
    @Override
    public void close() {
        adamW.close();
    }
}
