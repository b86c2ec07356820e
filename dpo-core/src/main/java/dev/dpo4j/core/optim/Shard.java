package dev.dpo4j.core.optim;

/**
 * The part of every flat optimizer buffer one rank updates, as DeepSpeed's ZeRO splits them: each buffer is padded to
 * a multiple of {@code ranks} and cut into equal parts, part {@code rank} this one's. {@link #WHOLE} is the whole
 * buffer (one process, or ZeRO stage 0).
 *
 * @param rank the part, 0 to {@code ranks - 1}
 * @param ranks the number of parts
 */
public record Shard(int rank, int ranks) {

    /** The whole buffer: rank 0 of 1. */
    public static final Shard WHOLE = new Shard(0, 1);

    /** Validates the rank. */
    public Shard {
        if (ranks < 1 || rank < 0 || rank >= ranks) {
            throw new IllegalArgumentException("rank " + rank + " of " + ranks + " ranks");
        }
    }

    /** The length of one part of a buffer of {@code length} elements, padded to a multiple of the ranks. */
    public long partLength(long length) {
        return (length + ranks - 1) / ranks;
    }
}
