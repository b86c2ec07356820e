package dev.dpo4j.core.distributed;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.kernels.InPlace;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A test double of a collective library for ranks that are threads of one JVM: every rank posts its float32 values,
 * waits for the others, and reads the sum in rank order. It tests what sits above {@link Collectives} (the sharded
 * placement, the trainer's ranks) without a native library; the real ones are tested in {@code dpo-collectives}.
 */
public final class ThreadRanks {

    private final int size;
    private final CyclicBarrier barrier;
    private final Object[] posted;
    private volatile boolean broken;

    private ThreadRanks(int size) {
        this.size = size;
        this.barrier = new CyclicBarrier(size);
        this.posted = new Object[size];
    }

    /** The collectives of {@code size} ranks, rank {@code i} at index {@code i}. */
    public static List<Collectives> of(int size) {
        ThreadRanks group = new ThreadRanks(size);
        List<Collectives> ranks = new ArrayList<>();
        for (int rank = 0; rank < size; rank++) {
            ranks.add(group.new Rank(rank));
        }
        return ranks;
    }

    /** Posts {@code values} as {@code rank}'s, then returns every rank's, in rank order. */
    private Object[] exchange(int rank, Object values) {
        posted[rank] = values;
        await();
        Object[] all = posted.clone();
        await(); // nobody posts again before everyone has read
        return all;
    }

    private void await() {
        if (broken) {
            throw new CollectivesException("a rank left the group");
        }
        try {
            barrier.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CollectivesException("interrupted", e);
        } catch (BrokenBarrierException | TimeoutException e) {
            throw new CollectivesException("a rank did not arrive", e);
        }
    }

    private double[] sum(int rank, double[] values) {
        Object[] all = exchange(rank, values);
        double[] sum = new double[values.length];
        for (Object other : all) {
            double[] o = (double[]) other;
            for (int i = 0; i < sum.length; i++) {
                sum[i] += o[i];
            }
        }
        return sum;
    }

    private static double[] doubles(NDArray array) {
        float[] floats = array.toType(DataType.FLOAT32, false).toFloatArray();
        double[] values = new double[floats.length];
        for (int i = 0; i < floats.length; i++) {
            values[i] = floats[i];
        }
        return values;
    }

    private static void write(NDArray target, double[] values, int from) {
        float[] floats = new float[(int) target.getShape().size()];
        for (int i = 0; i < floats.length; i++) {
            floats[i] = (float) values[from + i];
        }
        try (NDManager scratch = target.getManager().newSubManager()) {
            InPlace.assign(target, scratch.create(floats).reshape(target.getShape()));
        }
    }

    /** One rank of the group. */
    private final class Rank implements Collectives {
        private final int rank;

        Rank(int rank) {
            this.rank = rank;
        }

        @Override
        public int rank() {
            return rank;
        }

        @Override
        public int worldSize() {
            return size;
        }

        @Override
        public void allReduceSum(NDArray buffer) {
            write(buffer, sum(rank, doubles(buffer)), 0);
        }

        @Override
        public void allReduceSum(double[] values) {
            System.arraycopy(sum(rank, values.clone()), 0, values, 0, values.length);
        }

        @Override
        public void reduceScatterSum(NDArray input, NDArray shard) {
            write(shard, sum(rank, doubles(input)), (int) (rank * shard.getShape().size()));
        }

        @Override
        public void allGather(NDArray shard, NDArray output) {
            write(output, gather(doubles(shard)), 0);
        }

        @Override
        public double[] allGather(double[] values) {
            return gather(values.clone());
        }

        private double[] gather(double[] values) {
            Object[] all = exchange(rank, values);
            double[] gathered = new double[values.length * size];
            for (int r = 0; r < size; r++) {
                System.arraycopy((double[]) all[r], 0, gathered, r * values.length, values.length);
            }
            return gathered;
        }

        @Override
        public void broadcast(NDArray buffer, int root) {
            write(buffer, (double[]) exchange(rank, doubles(buffer))[root], 0);
        }

        @Override
        public void barrier() {
            exchange(rank, null);
        }

        /** Breaks the group: ranks waiting for this one fail at once (a rank that failed closes its group). */
        @Override
        public void close() {
            broken = true;
            barrier.reset();
        }
    }
}
