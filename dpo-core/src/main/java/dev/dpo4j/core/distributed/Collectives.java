package dev.dpo4j.core.distributed;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import java.time.Duration;

/**
 * The collectives of one rank among {@link #worldSize()}: each call is made by every rank in the same order, works in
 * place on contiguous arrays of this rank's device, and returns when this rank's part is done (the result may be read).
 * A rank that dies or never calls makes the others fail with a {@link CollectivesException} within the timeout the
 * group was made with, never hang.
 */
public interface Collectives extends AutoCloseable {

    /** The collectives of a process that runs alone: every sum is the array itself, every gather a copy. */
    static Collectives single() {
        return new SingleRank();
    }

    /**
     * Joins the group that {@code environment} describes through the first {@link CollectivesProvider} on the class
     * path that supports {@code device}, or returns {@link #single()} when the world size is 1.
     *
     * @param timeout how long the rendezvous and any later collective may wait for the other ranks
     * @throws CollectivesException when no provider supports the device (the message lists those found), a rank does
     *     not arrive in time or the library fails
     */
    static Collectives connect(RankEnvironment environment, Device device, Duration timeout) {
        if (environment.isSingle()) {
            return single();
        }
        return Providers.forDevice(device).connect(environment, device, timeout);
    }

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
