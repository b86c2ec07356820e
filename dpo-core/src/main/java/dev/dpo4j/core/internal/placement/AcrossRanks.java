package dev.dpo4j.core.internal.placement;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.distributed.Collectives;
import dev.dpo4j.core.kernels.Kernels;
import dev.dpo4j.core.optim.AdamW;
import dev.dpo4j.core.placement.DeviceWeights;
import java.util.List;
import java.util.Map;

/**
 * The optimizer's state across the ranks of a data-parallel run, by DeepSpeed's ZeRO stages. Every rank holds the
 * float32 masters whole and its device reads them (or half-precision copies of them) as on one device; after a step's
 * micro-batches the gradients meet over the {@link Collectives}:
 * <ul>
 *   <li>stage 0: each flat gradient is all-reduced and every rank applies the same whole update;</li>
 *   <li>stage 1: each flat gradient is reduce-scattered, in bounded chunks ({@link PartGradients}), into this rank's
 *       part ({@link AdamW.FlatGroup#partGradients()}),
 *       AdamW updates that part of the masters with part-sized moments, clipping by the norm summed over the ranks,
 *       and the updated parts are all-gathered into every rank's masters;</li>
 *   <li>stage 2: as stage 1, but the gradients are reduce-scattered after every micro-step ({@link PartGradients}),
 *       so a rank keeps no whole float32 gradient buffer, only its part.</li>
 * </ul>
 * The gradients the micro-batches leave are summed, not averaged: each micro-batch's loss already carries its share
 * of the whole step's pairs.
 */
public final class AcrossRanks extends AdamWPlacement {

    private final Collectives ranks;
    private final NDManager scratch;
    /** Whether the drain already sums into the parts (stage 2): the optimizer keeps no whole gradient buffer. */
    private final boolean partGradientsOnly;

    /**
     * @param adamW the update over {@code masters}: whole for stage 0, this rank's shard ({@link AdamW#shard()}) for
     *     stage 1; closed with this placement
     * @param masters the float32 master weights by name, views of {@code adamW}'s flat buffers
     * @param stackable module groups whose half-precision copies are stacked into one leaf ({@link HalfCopies})
     * @param kernels the casts of the half-precision copies
     * @param ranks the ranks' collectives; {@code adamW}'s shard is its rank of its world size, or whole
     * @param scratch a manager on this rank's device, for the all-gather's temporaries
     */
    public AcrossRanks(AdamW adamW, Map<String, NDArray> masters, List<List<String>> stackable,
            DataType computeType, Kernels kernels, Collectives ranks, NDManager scratch) {
        super(adamW, masters, stackable, computeType, kernels);
        boolean whole = adamW.shard().ranks() == 1;
        if (!whole && (adamW.shard().ranks() != ranks.worldSize() || adamW.shard().rank() != ranks.rank())) {
            throw new IllegalArgumentException("the optimizer's shard " + adamW.shard() + " is not rank "
                    + ranks.rank() + " of " + ranks.worldSize());
        }
        this.ranks = ranks;
        this.scratch = scratch;
        this.partGradientsOnly = adamW.flatGroups().stream().anyMatch(g -> g.gradients() == null);
    }

    /** The masters (float32) or their half-precision copies: one device per rank. */
    @Override
    public DeviceWeights copiesOn(int index, NDManager manager) {
        if (index > 0) {
            throw new IllegalArgumentException("a rank trains on one device; run one rank per device");
        }
        GradientSink sink = partGradientsOnly ? partGradients() : GradientSink.addInto(adamW.gradients(), kernels);
        return computeType != DataType.FLOAT32
                ? new HalfCopies(masters, sink, manager, kernels, computeType, stackable)
                : new MasterWeights(masters, sink);
    }

    /** Joins the other ranks' reduce-scatter of a micro-step with zeros (stage 2); nothing otherwise. */
    @Override
    public void idleMicroStep() {
        if (partGradientsOnly) {
            partGradients().drain(List.of(), List.of());
        }
    }


    /** Sums the gradients over the ranks, then one update of this rank's part, gathered into every rank's masters. */
    @Override
    public double step(double learningRate, double maxNorm, double lossScale) {
        if (adamW.shard().ranks() == 1) {
            adamW.flatGroups().forEach(group -> ranks.allReduceSum(group.gradients()));
            return adamW.step(learningRate, maxNorm, lossScale);
        }
        if (!partGradientsOnly) { // stage 1: the whole gradients, in the same bounded chunks as stage 2's drains
            Map<String, NDArray> gradients = adamW.gradients();
            partGradients().drain(List.copyOf(gradients.keySet()), List.copyOf(gradients.values()));
        }
        double norm = adamW.step(learningRate, maxNorm, lossScale, ranks::allReduceSum);
        gatherWeights();
        return norm;
    }

    private PartGradients partGradients() {
        return new PartGradients(adamW.flatGroups(), ranks, kernels, scratch, FlatRuns.RUN_ELEMENTS);
    }

    /** Every rank's updated part of the masters into every rank's whole buffers. */
    private void gatherWeights() {
        for (AdamW.FlatGroup group : adamW.flatGroups()) {
            long partLength = group.partGradients().getShape().size();
            try (NDManager temporaries = scratch.newSubManager()) {
                NDArray part = group.weights().get("{}:{}", adamW.shard().rank() * partLength,
                        (adamW.shard().rank() + 1) * partLength);
                part.attach(temporaries);
                NDArray sent = part.duplicate(); // the output holds the input's slot: send a copy
                sent.attach(temporaries);
                ranks.allGather(sent, group.weights());
            }
        }
    }
}
