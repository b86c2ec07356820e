package dev.dpo4j.core.internal.precision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.internal.arrays.InPlace;
import dev.dpo4j.core.internal.exchange.WorkerWeights;
import dev.dpo4j.core.kernels.Kernels;
import dev.dpo4j.core.model.Weights;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The float16 working copy of the policy for mixed-precision training: float16 leaf weights that the forward pass
 * reads and backward fills with (loss-scaled) float16 gradients, refreshed from the float32 masters before every
 * step. After each micro-batch the float16 gradients are added into the optimizer's float32 gradients, so
 * accumulation keeps float32 precision, and the optimizer updates the masters.
 *
 * <p>Leaf copies are needed because DJL's PyTorch cast ({@code toType}) runs without autograd, so a cast inside the
 * graph would not carry gradients back to the masters.
 */
public final class Float16Copies implements WorkerWeights {

    private final Map<String, NDArray> masters;
    private final Map<String, NDArray> copies = new LinkedHashMap<>();
    private final Map<String, NDArray> gradients;
    private final NDManager manager;
    private final Kernels kernels;

    /**
     * Allocates the float16 copies of {@code masters} (the float32 weights by name), whose gradients are added into
     * {@code gradients} (the optimizer's float32 gradient views, by weight name).
     */
    public Float16Copies(Map<String, NDArray> masters, Map<String, NDArray> gradients, NDManager parent,
            Kernels kernels) {
        this.masters = masters;
        this.kernels = kernels;
        this.gradients = gradients;
        this.manager = parent.newSubManager();
        refresh();
    }

    /**
     * Replaces the float16 weights with fresh casts of the current masters (on the device: {@code NDArray.copyTo}
     * would go through host memory).
     */
    @Override
    public void refresh() {
        masters.forEach((name, master) -> {
            NDArray copy = kernels.cast(master, DataType.FLOAT16);
            copy.attach(manager);
            copy.setRequiresGradient(true);
            NDArray old = copies.put(name, copy);
            if (old != null) {
                old.close();
            }
        });
    }

    /** The float16 weights, for the forward pass. */
    @Override
    public Weights view() {
        return copies::get;
    }

    /** Adds the micro-batches' float16 gradients into the float32 accumulators and clears them. */
    @Override
    public void drainGradients() {
        try (NDManager scratch = manager.newSubManager()) {
            copies.forEach((name, copy) -> {
                NDArray gradient = copy.getGradient();
                gradient.attach(scratch);
                NDArray sum = gradients.get(name);
                sum.tempAttach(scratch);
                sum.addi(kernels.cast(gradient, DataType.FLOAT32));
                InPlace.zero(gradient);
            });
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
