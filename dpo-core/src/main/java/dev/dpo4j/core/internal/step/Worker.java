package dev.dpo4j.core.internal.step;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.api.loss.LossFunction;
import dev.dpo4j.core.data.PairBatch;
import dev.dpo4j.core.data.PairCollator;
import dev.dpo4j.core.data.PreparedData;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.placement.DeviceWeights;
import dev.dpo4j.core.reference.ReferenceLogps;
import dev.dpo4j.core.scoring.CompletionScorer;
import dev.dpo4j.core.scoring.RecomputePlan;
import java.util.function.Function;

/**
 * One device's share of a run: its device and arrays, its view of the policy's weights (which also carries its
 * gradients back, see {@link DeviceWeights}), and its reference (a live frozen model or a precomputed table), for
 * training and evaluation alike. {@link #train} and {@link #evaluate} run the same scoring and differ only in
 * whether a graph is built and back-propagated.
 */
public final class Worker implements AutoCloseable {

    private final int index;
    private final NDManager manager;
    private final DeviceWeights weights;
    private final ReferenceLogps trainReference;
    private final ReferenceLogps evalReference;
    private final Scoring scoring;

    /**
     * What every worker of a run scores with.
     *
     * @param policy the policy's architecture (its weights are read through each worker's view)
     * @param loss the loss of a micro-batch
     * @param collator pads pairs into a batch
     * @param computeType the forward pass's type
     * @param recompute how many layers of each training micro-batch recompute in backward
     * @param useWeighting whether each pair's loss is weighted as WPO's (TRL's {@code use_weighting})
     */
    public record Scoring(CausalLm policy, LossFunction loss, PairCollator collator, DataType computeType,
            RecomputePlan recompute, boolean useWeighting) {

        /** Scoring without WPO's weights. */
        public Scoring(CausalLm policy, LossFunction loss, PairCollator collator, DataType computeType,
                RecomputePlan recompute) {
            this(policy, loss, collator, computeType, recompute, false);
        }
    }

    /**
     * @param index the position in the device list (0: the primary, where the optimizer lives)
     * @param manager the manager the worker's arrays live under, on its device; closed with the worker unless it is
     *     the primary's
     * @param trainReference reference log-probs of training pairs (null when the loss needs none)
     * @param evalReference reference log-probs of evaluation pairs (may be {@code trainReference} itself)
     */
    public Worker(int index, NDManager manager, DeviceWeights weights, ReferenceLogps trainReference,
            ReferenceLogps evalReference, Scoring scoring) {
        this.index = index;
        this.manager = manager;
        this.weights = weights;
        this.trainReference = trainReference;
        this.evalReference = evalReference;
        this.scoring = scoring;
    }

    /** The position in the device list. */
    public int index() {
        return index;
    }

    /** Where the worker's arrays live. */
    public Device device() {
        return manager.getDevice();
    }

    /** Its view of the policy's weights. */
    public DeviceWeights weights() {
        return weights;
    }

    /** Its reference for training pairs (null when the loss needs none). */
    public ReferenceLogps trainReference() {
        return trainReference;
    }

    /** Its reference for evaluation pairs. */
    public ReferenceLogps evalReference() {
        return evalReference;
    }

    /**
     * Forward and backward of a training micro-batch: {@code lossFactor} times its mean loss is back-propagated
     * into this worker's view of the weights.
     *
     * @param batch the micro-batch's pairs as indices into {@code data}
     */
    public MicroBatchOutcome.Values train(PreparedData data, int[] batch, double lossFactor) {
        return score(data, batch, trainReference, lossFactor, true);
    }

    /** Scores an evaluation micro-batch without building a graph. */
    public MicroBatchOutcome.Values evaluate(PreparedData data, int[] batch) {
        return score(data, batch, evalReference, 0, false);
    }

    /**
     * Collates the pairs, scores them against the reference and computes the loss, in a manager of its own, so
     * accumulating many micro-batches holds one micro-batch's arrays at a time; returns the values for the metrics.
     */
    private MicroBatchOutcome.Values score(PreparedData data, int[] batch, ReferenceLogps reference, double factor,
            boolean training) {
        try (NDManager scope = manager.newSubManager()) {
            PairBatch pairs = scoring.collator().collate(data.select(batch));
            PairBatch.Arrays arrays = pairs.toArrays(scope);
            NDArray referenceLogps = reference == null ? null : reference.logps(batch, arrays, scope);
            Function<CompletionScorer.Scores, MicroBatchOutcome> outcome = scores -> MicroBatchOutcome.of(
                    scoring.loss(), scoring.useWeighting(), scores, referenceLogps, arrays, batch.length);
            MicroBatchOutcome result = training
                    ? CompletionScorer.train(scoring.policy(), pairs, arrays, weights.view(), scoring.computeType(),
                            scope, factor, scoring.recompute(), outcome, r -> r.output().losses())
                    : outcome.apply(CompletionScorer.score(scoring.policy(), arrays, weights.view(),
                            scoring.computeType()));
            return result.values(pairs.policyTokens());
        }
    }

    /**
     * Frees the worker's view and its references; an other device's manager is closed too (the primary's
     * belongs to the run).
     */
    @Override
    public void close() {
        weights.close();
        if (trainReference != null) {
            trainReference.close();
        }
        if (evalReference != null && evalReference != trainReference) {
            evalReference.close();
        }
        if (index > 0) {
            manager.close();
        }
    }
}
