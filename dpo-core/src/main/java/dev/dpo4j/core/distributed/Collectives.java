package dev.dpo4j.core.distributed;

import ai.djl.ndarray.NDArray;

/**
 * The collectives of one rank among {@link #worldSize()}: each call is made by every rank in the same order, works in
 * place on contiguous arrays of this rank's device, and returns when this rank's part is done (the result may be read).
 * A rank that dies or never calls makes the others fail with a {@link CollectivesException} within the timeout the
 * group was made with, never hang.
 */
public interface Collectives extends AutoCloseable {

    /** This rank, 0 to {@code worldSize() - 1}. */
    int rank();

    /** The number of ranks. */
    int worldSize();

    /** Sums {@code buffer} over the ranks, in place (float32 or float64; NCCL also float16 and bfloat16). */
    void allReduceSum(NDArray buffer);

    /** Sums {@code values} over the ranks, in place: small host-side values such as metrics. */
    void allReduceSum(double[] values);

    /**
     * Sums {@code input} over the ranks and leaves part {@link #rank()} of the sum in {@code shard}: {@code input} holds
     * {@code worldSize()} parts of {@code shard}'s length, one per rank in rank order, and may be overwritten.
     */
    void reduceScatterSum(NDArray input, NDArray shard);

    /**
     * Every rank's {@code shard}, in rank order, into {@code output}, which holds {@code worldSize()} times as many
     * elements of the same type (any type: only bytes move).
     */
    void allGather(NDArray shard, NDArray output);

    /** Every rank's {@code values}, each of the same length, concatenated in rank order. */
    double[] allGather(double[] values);

    /** Rank {@code root}'s {@code buffer} into every rank's {@code buffer}. */
    void broadcast(NDArray buffer, int root);

    /** Returns once every rank has called it. */
    void barrier();

    /** Leaves the group and frees its connections. */
    @Override
    void close();
}
