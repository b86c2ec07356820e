package dev.dpo4j.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.model.CausalLm;
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
final class Float16Copies implements AutoCloseable {

    private final Map<String, NDArray> masters;
    private final Map<String, NDArray> copies = new LinkedHashMap<>();
    private final Map<String, NDArray> gradients;
    private final NDManager manager;

    /**
     * Allocates the float16 copies of {@code policy}, whose gradients are added into {@code gradients} (the
     * optimizer's float32 gradient views, by weight name).
     */
    Float16Copies(CausalLm policy, Map<String, NDArray> gradients, NDManager parent) {
        this.masters = policy.parameters();
        this.gradients = gradients;
        this.manager = parent.newSubManager();
        refresh();
    }

    /**
     * Replaces the float16 weights with fresh casts of the current masters (on the device: {@code NDArray.copyTo}
     * would go through host memory).
     */
    void refresh() {
        masters.forEach((name, master) -> {
            NDArray copy = master.toType(DataType.FLOAT16, true);
            copy.attach(manager);
            copy.setRequiresGradient(true);
            NDArray old = copies.put(name, copy);
            if (old != null) {
                old.close();
            }
        });
    }

    /** The float16 weights, for the forward pass. */
    Weights weights() {
        return copies::get;
    }

    /** Adds the micro-batch's float16 gradients into the float32 accumulators and clears them. */
    void accumulate() {
        try (NDManager scratch = manager.newSubManager()) {
            copies.forEach((name, copy) -> {
                NDArray gradient = copy.getGradient();
                gradient.attach(scratch);
                NDArray sum = gradients.get(name);
                sum.tempAttach(scratch);
                sum.addi(gradient.toType(DataType.FLOAT32, true));
                ZeroFill.fill(gradient);
            });
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
