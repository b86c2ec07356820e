package dev.dpo4j.core.internal.placement;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.dpo4j.core.kernels.Autograd;
import dev.dpo4j.core.kernels.InPlace;
import dev.dpo4j.core.kernels.Kernels;
import dev.dpo4j.core.model.DeviceArrays;
import dev.dpo4j.core.model.FusedProjections;
import dev.dpo4j.core.model.Weights;
import dev.dpo4j.core.optim.AdamW;
import dev.dpo4j.core.placement.DeviceWeights;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A data-parallel worker's copy of the policy on a device other than the primary's, in the compute type. Its
 * weights are leaf views of one flat buffer per optimizer group, laid out as the optimizer's, so both exchanges move
 * runs of whole tensors at once: {@link #refresh()} copies the float32 masters out in one transfer per run, and
 * {@link #drainGradients()} concatenates the gradients of a run into one transfer and adds it into the optimizer's
 * float32 gradients on the primary device, as DJL's {@code LocalParameterServer} reduces onto its first device.
 */
public final class MirrorWeights implements DeviceWeights {

    private final List<AdamW.FlatGroup> groups;
    private final NDManager manager;
    private final NDManager primary;
    private final long runElements;
    private final Map<String, NDArray> views = new LinkedHashMap<>();
    private final StackedLeaves stacked = new StackedLeaves();
    private final List<NDArray> flats = new ArrayList<>();
    private final DataType computeType;
    private final Kernels kernels;

    /**
     * Allocates the copy under {@code manager} (on its device) and fills it from the masters.
     *
     * @param groups the optimizer's flat buffers on the primary device
     * @param kernels the casts (bfloat16 needs the TorchScript ones)
     * @param masters the float32 master weights by name, for their shapes
     * @param primary a manager on the primary device, for the gradient transfers' temporaries
     * @param runElements elements per transfer ({@link FlatRuns#RUN_ELEMENTS})
     */
    public MirrorWeights(List<AdamW.FlatGroup> groups, Map<String, NDArray> masters, DataType computeType,
            Kernels kernels, NDManager manager, NDManager primary, long runElements) {
        this(groups, masters, computeType, kernels, manager, primary, runElements, List.of());
    }

    /**
     * As the other constructor, each group of {@code stackable} modules (such as {@code CausalLm.stackedProjections})
     * whose weights lie next to each other in a flat buffer read as one stacked leaf of its rows
     * ({@link FusedProjections}), as the primary's {@code HalfCopies} stack them.
     */
    public MirrorWeights(List<AdamW.FlatGroup> groups, Map<String, NDArray> masters, DataType computeType,
            Kernels kernels, NDManager manager, NDManager primary, long runElements, List<List<String>> stackable) {
        this.groups = groups;
        this.computeType = computeType;
        this.kernels = kernels;
        this.manager = manager;
        this.primary = primary;
        this.runElements = runElements;
        for (AdamW.FlatGroup group : groups) {
            NDArray flat = allocate(group.weights().getShape());
            flats.add(flat);
            long offset = 0;
            for (int m = 0; m < group.names().size(); m++) {
                String name = group.names().get(m);
                long size = group.sizes().get(m);
                NDArray view = flat.get(new NDIndex("{}:{}", offset, offset + size))
                        .reshape(masters.get(name).getShape());
                view.attach(manager);
                views.put(name, view);
                offset += size;
            }
        }
        FusedProjections.stacks(stackable, masters, (names, offsets) -> leaf(names, masters)).forEach(stacked::add);
        views.forEach((name, view) -> view.setRequiresGradient(!stacked.contains(name)));
        refresh();
    }

    /** The rows of the flat buffer that hold {@code names}, in order and nothing between, as one leaf; else null. */
    private NDArray leaf(List<String> names, Map<String, NDArray> masters) {
        for (int g = 0; g < groups.size(); g++) {
            List<String> members = groups.get(g).names();
            int first = members.indexOf(names.get(0));
            if (first < 0 || first + names.size() > members.size()
                    || !members.subList(first, first + names.size()).equals(names)) {
                continue;
            }
            long start = groups.get(g).sizes().subList(0, first).stream().mapToLong(Long::longValue).sum();
            long length = groups.get(g).sizes().subList(first, first + names.size()).stream()
                    .mapToLong(Long::longValue).sum();
            Shape shape = masters.get(names.get(0)).getShape();
            long rows = names.stream().mapToLong(n -> masters.get(n).getShape().get(0)).sum();
            NDArray leaf = flats.get(g).get(new NDIndex("{}:{}", start, start + length))
                    .reshape(shape.dimension() == 1 ? new Shape(rows) : new Shape(rows, shape.get(1)));
            leaf.attach(manager);
            leaf.setRequiresGradient(true);
            return leaf;
        }
        return null;
    }

    @Override
    public Weights view() {
        return stacked.view(views::get);
    }

    /** Copies the current master weights out, one transfer per run. */
    @Override
    public void refresh() {
        for (int g = 0; g < groups.size(); g++) {
            AdamW.FlatGroup group = groups.get(g);
            NDArray flat = flats.get(g);
            FlatRuns.forEach(group, runElements, (from, to, offset, length) -> {
                try (NDManager scratch = manager.newSubManager(); Autograd paused = Autograd.pause()) {
                    NDIndex range = new NDIndex("{}:{}", offset, offset + length);
                    NDArray master = group.weights().get(range);
                    master.attach(scratch);
                    NDArray fresh = onDevice(master);
                    fresh.attach(scratch);
                    flat.tempAttach(scratch);
                    flat.set(range, fresh);
                }
            });
        }
    }

    /** A zero buffer in the compute type on this device (DJL makes no bfloat16 array itself). */
    private NDArray allocate(Shape shape) {
        if (computeType != DataType.BFLOAT16) {
            return manager.zeros(shape, computeType, manager.getDevice());
        }
        try (NDArray zeros = manager.zeros(shape, DataType.FLOAT32, manager.getDevice())) {
            return kernels.cast(zeros, computeType);
        }
    }

    /**
     * Float32 master values on this device in the compute type: float16 is cast before it travels (half the bytes);
     * bfloat16 travels in float32, since DJL moves no bfloat16 array, and is cast on arrival.
     */
    private NDArray onDevice(NDArray master) {
        if (computeType != DataType.BFLOAT16) {
            return DeviceArrays.copy(master, computeType, manager.getDevice());
        }
        try (NDArray moved = DeviceArrays.copy(master, DataType.FLOAT32, manager.getDevice())) {
            return kernels.cast(moved, computeType);
        }
    }

    /** Adds this copy's gradients into the optimizer's, one transfer per run, and clears them. */
    @Override
    public void drainGradients() {
        for (AdamW.FlatGroup group : groups) {
            FlatRuns.forEach(group, runElements, (from, to, offset, length) -> {
                try (NDManager scratch = primary.newSubManager()) {
                    NDList gradients = new NDList();
                    StackedLeaves.Gradients stackedGradients = stacked.gradients(scratch);
                    for (int m = from; m < to; m++) {
                        gradients.add(stackedGradients.of(group.names().get(m), views));
                    }
                    NDList flat = new NDList();
                    gradients.forEach(g -> flat.add(g.flatten()));
                    NDArray run = flat.size() == 1 ? flat.get(0) : NDArrays.concat(flat);
                    NDArray moved = computeType == DataType.BFLOAT16
                            ? kernels.cast(run, DataType.FLOAT32).toDevice(primary.getDevice(), false)
                            : run.toDevice(primary.getDevice(), false).toType(DataType.FLOAT32, false);
                    NDArray sum = group.gradients().get(new NDIndex("{}:{}", offset, offset + length));
                    sum.attach(scratch);
                    sum.addi(moved);
                    gradients.forEach(InPlace::zero);
                }
            });
        }
    }

    /** Frees the copy. */
    @Override
    public void close() {
        manager.close();
    }
}
