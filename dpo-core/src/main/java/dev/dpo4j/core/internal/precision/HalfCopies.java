package dev.dpo4j.core.internal.precision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.internal.exchange.WorkerWeights;
import dev.dpo4j.core.kernels.Kernels;
import dev.dpo4j.core.model.Weights;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The float16 or bfloat16 working copy of the policy for mixed-precision training: leaf weights in the compute type
 * that the forward pass reads and backward fills with (loss-scaled, in float16) gradients, refreshed from the float32
 * masters before every step. After each micro-batch their gradients are added into the optimizer's float32
 * gradients, so accumulation keeps float32 precision, and the optimizer updates the masters.
 *
 * <p>Leaf copies are needed because DJL's PyTorch cast ({@code toType}) runs without autograd, so a cast inside the
 * graph would not carry gradients back to the masters.
 */
public final class HalfCopies implements WorkerWeights {

    private final Map<String, NDArray> masters;
    private final Map<String, NDArray> copies = new LinkedHashMap<>();
    private final Map<String, NDArray> gradients;
    private final NDManager manager;
    private final Kernels kernels;
    private final DataType type;

    /**
     * Allocates the copies of {@code masters} (the float32 weights by name) in {@code type}, whose gradients are
     * added into {@code gradients} (the optimizer's float32 gradient views, by weight name).
     *
     * @param kernels the casts (bfloat16 needs the TorchScript ones)
     */
    public HalfCopies(Map<String, NDArray> masters, Map<String, NDArray> gradients, NDManager parent,
            Kernels kernels, DataType type) {
        this.masters = masters;
        this.type = type;
        this.kernels = kernels;
        this.gradients = gradients;
        this.manager = parent.newSubManager();
        refresh();
    }

    /**
     * Casts the current masters into the copies, in place on the device ({@code NDArray.copyTo} would go through
     * host memory): one call for every weight with the TorchScript kernels.
     */
    @Override
    public void refresh() {
        if (copies.isEmpty()) {
            masters.forEach((name, master) -> {
                NDArray copy = kernels.cast(master, type);
                copy.attach(manager);
                copy.setRequiresGradient(true);
                copies.put(name, copy);
            });
            return;
        }
        kernels.copyInto(new ArrayList<>(copies.values()), new ArrayList<>(masters.values()));
    }

    /** The copies, for the forward pass. */
    @Override
    public Weights view() {
        return copies::get;
    }

    /** Adds the micro-batches' gradients of the copies into the float32 accumulators and clears them. */
    @Override
    public void drainGradients() {
        try (NDManager scratch = manager.newSubManager()) {
            List<NDArray> sums = new ArrayList<>(copies.size());
            List<NDArray> addends = new ArrayList<>(copies.size());
            copies.forEach((name, copy) -> {
                NDArray gradient = copy.getGradient();
                gradient.attach(scratch);
                addends.add(gradient);
                sums.add(gradients.get(name));
            });
            kernels.drainInto(sums, addends);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
