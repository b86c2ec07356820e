package dev.dpo4j.core.internal.placement;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.dpo4j.core.distributed.Collectives;
import dev.dpo4j.core.kernels.InPlace;
import dev.dpo4j.core.kernels.Kernels;
import dev.dpo4j.core.optim.AdamW;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * ZeRO stage 2's drain: after each micro-step the gradients are reduce-scattered straight into each rank's part of
 * the float32 gradients, so no rank holds a whole float32 gradient buffer. Each flat group is laid out as the
 * optimizer's (padded to a multiple of the ranks); the reduce-scatter runs in chunks of about
 * {@code chunkElements} elements of the whole buffer, each chunk's input gathered from the named gradients' slices
 * and cast to float32, so its temporaries stay bounded. A weight without a gradient in a drain adds zeros (a rank that
 * had no micro-batch in a micro-step still joins its reduce-scatters).
 */
public final class PartGradients implements GradientSink {

    private final List<AdamW.FlatGroup> groups;
    private final Collectives ranks;
    private final Kernels kernels;
    private final NDManager manager;
    private final long chunkElements;

    /**
     * @param groups the optimizer's flat groups, whose {@link AdamW.FlatGroup#partGradients()} receive the sums
     * @param manager a manager on this rank's device, for the chunks' temporaries
     * @param chunkElements elements of the whole buffer reduce-scattered at once ({@link FlatRuns#RUN_ELEMENTS})
     */
    public PartGradients(List<AdamW.FlatGroup> groups, Collectives ranks, Kernels kernels, NDManager manager,
            long chunkElements) {
        this.groups = groups;
        this.ranks = ranks;
        this.kernels = kernels;
        this.manager = manager;
        this.chunkElements = chunkElements;
    }

    @Override
    public void drain(List<String> names, List<NDArray> addends) {
        Map<String, NDArray> byName = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            byName.put(names.get(i), addends.get(i));
        }
        for (AdamW.FlatGroup group : groups) {
            long part = group.partGradients().getShape().size();
            long step = Math.max(1, chunkElements / ranks.worldSize());
            for (long from = 0; from < part; from += step) {
                scatter(group, byName, from, Math.min(part, from + step), part);
            }
        }
        addends.forEach(InPlace::zero);
    }

    /** Elements {@code from .. to} of every rank's part, summed over the ranks into this rank's. */
    private void scatter(AdamW.FlatGroup group, Map<String, NDArray> addends, long from, long to, long part) {
        try (NDManager scratch = manager.newSubManager()) {
            NDList pieces = new NDList();
            for (int rank = 0; rank < ranks.worldSize(); rank++) {
                slice(group, addends, rank * part + from, rank * part + to, scratch, pieces);
            }
            NDArray input = pieces.size() == 1 ? pieces.get(0) : NDArrays.concat(pieces);
            input.attach(scratch);
            NDArray sum = scratch.zeros(new Shape(to - from), DataType.FLOAT32, manager.getDevice());
            ranks.reduceScatterSum(input, sum);
            NDArray target = group.partGradients().get(new NDIndex("{}:{}", from, to));
            target.attach(scratch);
            target.addi(sum);
        }
    }

    /** Elements {@code from .. to} of the group's whole flat gradient, in float32 (zeros past its members). */
    private void slice(AdamW.FlatGroup group, Map<String, NDArray> addends, long from, long to,
            NDManager scratch, NDList pieces) {
        long offset = 0;
        for (int m = 0; m < group.names().size() && offset < to; m++) {
            long size = group.sizes().get(m);
            NDArray addend = addends.get(group.names().get(m));
            if (offset + size > from) {
                long start = Math.max(from, offset) - offset;
                long end = Math.min(to, offset + size) - offset;
                if (addend == null) {
                    pieces.add(scratch.zeros(new Shape(end - start), DataType.FLOAT32, manager.getDevice()));
                    offset += size;
                    continue;
                }
                NDArray gradient = addend.flatten().get(new NDIndex("{}:{}", start, end));
                gradient.attach(scratch);
                NDArray floats = gradient.getDataType() == DataType.FLOAT32 ? gradient.duplicate()
                        : kernels.cast(gradient, DataType.FLOAT32);
                floats.attach(scratch);
                pieces.add(floats);
            }
            offset += size;
        }
        long padding = to - Math.max(from, Math.min(to, offset));
        if (padding > 0) {
            pieces.add(scratch.zeros(new Shape(padding), DataType.FLOAT32, manager.getDevice()));
        }
    }
}
