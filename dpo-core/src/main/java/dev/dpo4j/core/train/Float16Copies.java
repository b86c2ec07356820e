package dev.dpo4j.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.Weights;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The float16 working copy of the policy for mixed-precision training: float16 leaf weights that the forward pass
 * reads and backward fills with (loss-scaled) float16 gradients, refreshed from the float32 masters before every
 * step. After each micro-batch the float16 gradients are added into float32 accumulators, so accumulation keeps
 * float32 precision, and the optimizer updates the masters.
 *
 * <p>Leaf copies are needed because DJL's PyTorch cast ({@code toType}) runs without autograd, so a cast inside the
 * graph would not carry gradients back to the masters.
 */
final class Float16Copies implements AutoCloseable {

    /** Every element; filling through an index overwrites inf and NaN, which multiplying by 0 would keep. */
    private static final NDIndex ALL = new NDIndex("...");

    private final Map<String, NDArray> masters;
    private final Map<String, NDArray> copies = new LinkedHashMap<>();
    private final Map<String, NDArray> gradients = new LinkedHashMap<>();
    private final NDManager manager;

    /** Allocates the float16 copies and the float32 gradient accumulators of {@code policy}. */
    Float16Copies(CausalLm policy, NDManager parent) {
        this.masters = policy.parameters();
        this.manager = parent.newSubManager();
        masters.forEach((name, master) -> {
            NDArray copy = master.toType(DataType.FLOAT16, true);
            copy.attach(manager);
            copy.setRequiresGradient(true);
            copies.put(name, copy);
            gradients.put(name, manager.zeros(master.getShape(), DataType.FLOAT32));
        });
    }

    /** Copies the current masters into the float16 weights. */
    void refresh() {
        masters.forEach((name, master) -> {
            try (NDArray half = master.toType(DataType.FLOAT16, true)) {
                half.copyTo(copies.get(name));
            }
        });
    }

    /** The float16 weights, for the forward pass. */
    Weights weights() {
        return copies::get;
    }

    /** Adds the micro-batch's float16 gradients into the float32 accumulators and clears them. */
    void accumulate() {
        copies.forEach((name, copy) -> {
            try (NDArray gradient = copy.getGradient(); NDArray wide = gradient.toType(DataType.FLOAT32, true)) {
                gradients.get(name).addi(wide);
                gradient.set(ALL, 0f);
            }
        });
    }

    /** The float32 accumulated gradients by weight name; {@link #clear()} them after the update. */
    Map<String, NDArray> gradients() {
        return gradients;
    }

    /** Zeroes the accumulators (also after a skipped step, whose gradients may be inf or NaN). */
    void clear() {
        gradients.values().forEach(g -> g.set(ALL, 0f));
    }

    @Override
    public void close() {
        manager.close();
    }
}
