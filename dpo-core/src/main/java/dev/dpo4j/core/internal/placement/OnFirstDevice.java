package dev.dpo4j.core.internal.placement;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.kernels.Kernels;
import dev.dpo4j.core.optim.AdamW;
import dev.dpo4j.core.placement.DeviceWeights;
import java.util.List;
import java.util.Map;

/**
 * The whole optimizer state on the run's first device, as DJL's {@code LocalParameterServer} reduces onto its first
 * device: that device reads the float32 masters themselves ({@link MasterWeights}) or half-precision copies of them
 * ({@link HalfCopies}); every other device reads a mirror ({@link MirrorWeights}) whose gradients travel to the first
 * device, and whose weights come back from it, in runs of whole tensors ({@link FlatRuns}).
 */
public final class OnFirstDevice extends AdamWPlacement {

    private final NDManager first;
    private final long runElements;

    /**
     * @param adamW the update over {@code masters} on the first device; closed with this placement
     * @param masters the float32 master weights by name, views of {@code adamW}'s flat buffers
     * @param stackable module groups whose half-precision copies are stacked into one leaf ({@link HalfCopies})
     * @param kernels the casts of the half-precision copies
     * @param first a manager on the first device, for the transfers' temporaries
     * @param runElements elements per transfer between devices ({@link FlatRuns#RUN_ELEMENTS})
     */
    public OnFirstDevice(AdamW adamW, Map<String, NDArray> masters, List<List<String>> stackable,
            DataType computeType, Kernels kernels, NDManager first, long runElements) {
        super(adamW, masters, stackable, computeType, kernels);
        this.first = first;
        this.runElements = runElements;
    }

    /** The masters (float32) or their half-precision copies on the first device, a mirror on any other. */
    @Override
    public DeviceWeights copiesOn(int index, NDManager manager) {
        if (index > 0) {
            return new MirrorWeights(adamW.flatGroups(), masters, computeType, kernels, manager, first, runElements,
                    stackable);
        }
        return computeType != DataType.FLOAT32
                ? new HalfCopies(masters, adamW.gradients(), manager, kernels, computeType, stackable)
                : new MasterWeights(masters, adamW.gradients());
    }
}
