package dev.dpo4j.collectives.internal;

import java.nio.ByteBuffer;

/**
 * The JNI entry points of {@code libdpo4j_gloo.so} ({@code src/main/native/dpo4j_gloo.cpp}). Buffers are direct;
 * their capacity is the byte count. Gloo's errors come back as {@code CollectivesException}s.
 */
final class GlooNative {

    private GlooNative() {
    }

    /** Gloo's TCP device on {@code hostname}, then its full mesh to every rank through {@code store}: the group. */
    static native long connect(GlooStore store, int rank, int size, String hostname, long timeoutMillis);

    /** Sums float32 ({@code doubles} false) or float64 elements over the ranks, in place. */
    static native void allReduceSum(long group, ByteBuffer buffer, boolean doubles);

    /**
     * Sums float32 {@code input} over the ranks into this rank's {@code shard}. The group keeps the algorithm (and
     * three times the input's size of host memory) for the next call of the same length.
     */
    static native void reduceScatterSum(long group, ByteBuffer input, ByteBuffer shard);

    /** Every rank's {@code shard} bytes into {@code output}, in rank order. */
    static native void allGather(long group, ByteBuffer shard, ByteBuffer output);

    /** Rank {@code root}'s bytes into every rank's {@code buffer}. */
    static native void broadcast(long group, ByteBuffer buffer, int root);

    static native void barrier(long group);

    /** Frees the group and its connections. */
    static native void close(long group);
}
