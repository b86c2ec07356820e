package dev.dpo4j.core.internal.placement;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.kernels.Kernels;
import dev.dpo4j.core.model.FusedProjections;
import dev.dpo4j.core.model.Weights;
import dev.dpo4j.core.placement.DeviceWeights;
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
public final class HalfCopies implements DeviceWeights {

    private final Map<String, NDArray> masters;
    private final Map<String, NDArray> copies = new LinkedHashMap<>();
    private final StackedLeaves stacked = new StackedLeaves();
    private final List<NDArray> targets = new ArrayList<>();
    private final List<NDArray> sources = new ArrayList<>();
    private final GradientSink sink;
    private final NDManager manager;
    private final Kernels kernels;
    private final DataType type;

    /**
     * Allocates the copies of {@code masters} (the float32 weights by name) in {@code type}, whose gradients are
     * added into {@code gradients} (the optimizer's float32 gradient views, by weight name); nothing is stacked.
     *
     * @param kernels the casts (bfloat16 needs the TorchScript ones)
     */
    public HalfCopies(Map<String, NDArray> masters, Map<String, NDArray> gradients, NDManager parent,
            Kernels kernels, DataType type) {
        this(masters, gradients, parent, kernels, type, List.of());
    }

    /**
     * As the other constructor, the weights of each group of {@code groups} (such as
     * {@code CausalLm.stackedProjections}) copied into one stacked leaf, so the group runs as one matmul
     * ({@link FusedProjections}) and backward leaves one gradient for it.
     */
    public HalfCopies(Map<String, NDArray> masters, Map<String, NDArray> gradients, NDManager parent,
            Kernels kernels, DataType type, List<List<String>> groups) {
        this(masters, GradientSink.addInto(gradients, kernels), parent, kernels, type, groups);
    }

    /** As the other constructors, the drained gradients sent to {@code sink}. */
    public HalfCopies(Map<String, NDArray> masters, GradientSink sink, NDManager parent, Kernels kernels,
            DataType type, List<List<String>> groups) {
        this.masters = masters;
        this.type = type;
        this.kernels = kernels;
        this.sink = sink;
        this.manager = parent.newSubManager();
        FusedProjections.stacks(groups, masters, (names, offsets) -> leaf(names)).forEach(stacked::add);
        stacked.aliases(manager).forEach((name, alias) -> {
            targets.add(alias);
            sources.add(masters.get(name));
        });
        masters.forEach((name, master) -> {
            if (!stacked.contains(name)) {
                NDArray copy = kernels.cast(master, type);
                copy.attach(manager);
                copy.setRequiresGradient(true);
                copies.put(name, copy);
                targets.add(copy);
                sources.add(master);
            }
        });
    }

    /** The members' copies stacked in one leaf. */
    private NDArray leaf(List<String> names) {
        try (NDManager scratch = manager.newSubManager()) {
            NDList casts = new NDList();
            names.forEach(name -> casts.add(kernels.cast(masters.get(name), type)));
            casts.attach(scratch);
            NDArray leaf = NDArrays.concat(casts);
            leaf.attach(manager);
            leaf.setRequiresGradient(true);
            return leaf;
        }
    }

    /**
     * Casts the current masters into the copies, in place on the device ({@code NDArray.copyTo} would go through
     * host memory): one call for every weight with the TorchScript kernels.
     */
    @Override
    public void refresh() {
        kernels.copyInto(targets, sources);
    }

    /** The copies, for the forward pass: a stacked member's weight is its rows of the stack, in the graph. */
    @Override
    public Weights view() {
        return stacked.view(copies::get);
    }

    /** Sends the micro-batches' gradients of the copies to the sink (the float32 accumulators) and clears them. */
    @Override
    public void drainGradients() {
        try (NDManager scratch = manager.newSubManager()) {
            List<String> names = new ArrayList<>(masters.keySet());
            List<NDArray> addends = new ArrayList<>(masters.size());
            StackedLeaves.Gradients stackedGradients = stacked.gradients(scratch);
            names.forEach(name -> addends.add(stackedGradients.of(name, copies)));
            sink.drain(names, addends);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
