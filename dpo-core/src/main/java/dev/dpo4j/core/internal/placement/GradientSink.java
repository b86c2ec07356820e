package dev.dpo4j.core.internal.placement;

import ai.djl.ndarray.NDArray;
import dev.dpo4j.core.kernels.Kernels;
import java.util.List;
import java.util.Map;

/**
 * Where a device's copies send the gradients a drain reads off them: added into the optimizer's float32 gradients
 * ({@link #addInto}), or reduce-scattered into this rank's part of them ({@link PartGradients}, ZeRO stage 2).
 */
@FunctionalInterface
public interface GradientSink {

    /**
     * Moves {@code addends}, the gradients of the weights {@code names} (in any float type, in the same order), into
     * the optimizer's gradients, and sets the addends to zero.
     */
    void drain(List<String> names, List<NDArray> addends);

    /** Adds each addend into the float32 gradient of its name in {@code gradients}, in one kernel call. */
    static GradientSink addInto(Map<String, NDArray> gradients, Kernels kernels) {
        return (names, addends) -> kernels.drainInto(names.stream().map(gradients::get).toList(), addends);
    }
}
