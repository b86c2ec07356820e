package dev.dpo4j.core.distributed;

import ai.djl.ndarray.NDArray;

/** The collectives of rank 0 of 1: sums are the arrays themselves, gathers and scatters copies. */
final class SingleRank implements Collectives {

    @Override
    public int rank() {
        return 0;
    }

    @Override
    public int worldSize() {
        return 1;
    }

    @Override
    public void allReduceSum(NDArray buffer) {
        // the sum over one rank
    }

    @Override
    public void allReduceSum(double[] values) {
        // the sum over one rank
    }

    @Override
    public void reduceScatterSum(NDArray input, NDArray shard) {
        copy(input, shard, "reduceScatterSum: input", "shard");
    }

    @Override
    public void allGather(NDArray shard, NDArray output) {
        copy(shard, output, "allGather: shard", "output");
    }

    @Override
    public double[] allGather(double[] values) {
        return values.clone();
    }

    @Override
    public void broadcast(NDArray buffer, int root) {
        if (root != 0) {
            throw new IllegalArgumentException("broadcast root " + root + " is not a rank: the world size is 1");
        }
    }

    @Override
    public void barrier() {
        // nobody to wait for
    }

    @Override
    public void close() {
        // nothing to free
    }

    private static void copy(NDArray from, NDArray to, String fromName, String toName) {
        if (from.size() != to.size() || from.getDataType() != to.getDataType()) {
            throw new IllegalArgumentException(fromName + " (" + from.getShape() + ", " + from.getDataType()
                    + ") and " + toName + " (" + to.getShape() + ", " + to.getDataType()
                    + ") must hold as many elements of one type at world size 1");
        }
        to.set(from.reshape(to.getShape()).toByteBuffer());
    }
}
