package dev.dpo4j.collectives.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.distributed.Collectives;
import dev.dpo4j.core.distributed.CollectivesException;
import dev.dpo4j.core.distributed.RankEnvironment;
import dev.dpo4j.core.kernels.DataPointers;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

/**
 * One rank's collectives through Gloo over TCP, on contiguous host arrays: sums of float32 and float64 (float32 only
 * for reduce-scatter), gathers and broadcasts of any type. Calls come from one thread.
 */
public final class GlooCollectives implements Collectives {

    private final int rank;
    private final int worldSize;
    private final Rendezvous rendezvous;
    private long group;

    private GlooCollectives(int rank, int worldSize, Rendezvous rendezvous, long group) {
        this.rank = rank;
        this.worldSize = worldSize;
        this.rendezvous = rendezvous;
        this.group = group;
    }

    /**
     * Meets the other ranks, then builds Gloo's full mesh among them.
     *
     * @throws CollectivesException when a rank does not arrive within {@code timeout} or Gloo fails
     */
    public static GlooCollectives connect(RankEnvironment environment, Duration timeout) {
        GlooLibrary.load();
        Rendezvous rendezvous = Rendezvous.meet(environment, timeout);
        try {
            String host = GlooHost.forMaster(environment.masterAddress(), environment.masterPort());
            long group = GlooNative.connect(rendezvous.glooStore(), environment.rank(), environment.worldSize(),
                    host, timeout.toMillis());
            return new GlooCollectives(environment.rank(), environment.worldSize(), rendezvous, group);
        } catch (RuntimeException e) {
            rendezvous.close();
            throw e;
        }
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int worldSize() {
        return worldSize;
    }

    @Override
    public void allReduceSum(NDArray buffer) {
        DataType type = buffer.getDataType();
        if (type != DataType.FLOAT32 && type != DataType.FLOAT64) {
            throw new IllegalArgumentException("Gloo sums float32 and float64 arrays, not " + type);
        }
        GlooNative.allReduceSum(open(), memory(buffer, "buffer"), type == DataType.FLOAT64);
    }

    @Override
    public void allReduceSum(double[] values) {
        ByteBuffer buffer = direct(values);
        GlooNative.allReduceSum(open(), buffer, true);
        buffer.asDoubleBuffer().get(values);
    }

    /**
     * Gloo's halving-doubling reduce-scatter, on a copy of {@code input} (left as it was). The group keeps it, and
     * three times the input's size of host memory, for the next call of the same length: building one costs more
     * than the call itself (64 MB: 407 ms against 40 ms on this project's 2-core machine).
     */
    @Override
    public void reduceScatterSum(NDArray input, NDArray shard) {
        if (input.getDataType() != DataType.FLOAT32 || shard.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException("Gloo's reduce-scatter sums float32 arrays, not input "
                    + input.getDataType() + " into shard " + shard.getDataType());
        }
        checkParts("reduceScatterSum: input", input, shard);
        GlooNative.reduceScatterSum(open(), memory(input, "input"), memory(shard, "shard"));
    }

    @Override
    public void allGather(NDArray shard, NDArray output) {
        if (shard.getDataType() != output.getDataType()) {
            throw new IllegalArgumentException("allGather: shard (" + shard.getDataType() + ") and output ("
                    + output.getDataType() + ") must be of one type");
        }
        checkParts("allGather: output", output, shard);
        GlooNative.allGather(open(), memory(shard, "shard"), memory(output, "output"));
    }

    @Override
    public double[] allGather(double[] values) {
        ByteBuffer output = ByteBuffer.allocateDirect(values.length * Double.BYTES * worldSize)
                .order(ByteOrder.nativeOrder());
        GlooNative.allGather(open(), direct(values), output);
        double[] gathered = new double[values.length * worldSize];
        output.asDoubleBuffer().get(gathered);
        return gathered;
    }

    @Override
    public void broadcast(NDArray buffer, int root) {
        if (root < 0 || root >= worldSize) {
            throw new IllegalArgumentException("broadcast root " + root + " is not a rank of " + worldSize);
        }
        GlooNative.broadcast(open(), memory(buffer, "buffer"), root);
    }

    @Override
    public void barrier() {
        GlooNative.barrier(open());
    }

    @Override
    public synchronized void close() {
        if (group != 0) {
            try {
                GlooNative.close(group);
            } finally {
                group = 0;
                rendezvous.close();
            }
        }
    }

    private synchronized long open() {
        if (group == 0) {
            throw new CollectivesException("rank " + rank + "'s Gloo group is closed");
        }
        return group;
    }

    private void checkParts(String what, NDArray whole, NDArray part) {
        if (whole.size() != part.size() * worldSize) {
            throw new IllegalArgumentException(what + " " + whole.getShape() + " must hold " + worldSize
                    + " times the shard's " + part.size() + " elements");
        }
    }

    private static ByteBuffer memory(NDArray array, String name) {
        if (array.getDevice().isGpu()) {
            throw new IllegalArgumentException("Gloo moves host arrays: " + name + " is on " + array.getDevice());
        }
        return DataPointers.buffer(array);
    }

    private static ByteBuffer direct(double[] values) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(values.length * Double.BYTES).order(ByteOrder.nativeOrder());
        buffer.asDoubleBuffer().put(values);
        return buffer;
    }
}
