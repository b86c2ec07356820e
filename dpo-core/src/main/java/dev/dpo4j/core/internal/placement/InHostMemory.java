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
 * The optimizer's state in host memory, as DeepSpeed's ZeRO-Offload keeps it: the float32 masters, their gradient
 * accumulators and AdamW's moments live on the host, where AdamW runs; every device, the first too, reads a copy of the
 * weights in the compute type ({@link MirrorWeights}), whose gradients travel to the host after each micro-step and
 * whose weights come back after each update, in runs of whole tensors ({@link FlatRuns}). A device then holds no
 * float32 state: for half precision 4 bytes a trained parameter instead of 20.
 */
public final class InHostMemory extends AdamWPlacement {

    private final NDManager host;
    private final long runElements;

    /**
     * @param adamW the update over {@code masters}, its buffers in host memory; closed with this placement
     * @param masters the float32 master weights by name, in host memory, views of {@code adamW}'s flat buffers
     * @param stackable module groups whose copies are stacked into one leaf ({@link MirrorWeights})
     * @param kernels the casts of the copies
     * @param host a manager in host memory, for the transfers' temporaries
     * @param runElements elements per transfer ({@link FlatRuns#RUN_ELEMENTS})
     * @throws IllegalArgumentException when a master is not in host memory
     */
    public InHostMemory(AdamW adamW, Map<String, NDArray> masters, List<List<String>> stackable, DataType computeType,
            Kernels kernels, NDManager host, long runElements) {
        super(adamW, inHostMemory(masters), stackable, computeType, kernels);
        this.host = host;
        this.runElements = runElements;
    }

    private static Map<String, NDArray> inHostMemory(Map<String, NDArray> masters) {
        masters.forEach((name, master) -> {
            if (master.getDevice().isGpu()) {
                throw new IllegalArgumentException("offload_optimizer keeps the master weights in host memory, but "
                        + name + " is on " + master.getDevice()
                        + ": give the model as a folder, or load it on the CPU");
            }
        });
        return masters;
    }

    /** A copy in the compute type on the device of {@code manager}, in a manager of its own there. */
    @Override
    public DeviceWeights copiesOn(int index, NDManager manager) {
        return new MirrorWeights(adamW.flatGroups(), masters, computeType, kernels, manager.newSubManager(), host,
                runElements, stackable);
    }
}
