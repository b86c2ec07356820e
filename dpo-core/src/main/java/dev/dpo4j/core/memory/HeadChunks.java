package dev.dpo4j.core.memory;

/**
 * Logit elements the LM head computes at once, as the scoring pass chunks it ({@code scoring.RecomputePlan}): in a
 * pass that keeps every layer's graph or none, and in a pass that recomputes layers in backward.
 *
 * @param plain a plain pass's chunk (with a graph of every layer, or without a graph)
 * @param recomputing a recomputing pass's chunk
 */
public record HeadChunks(long plain, long recomputing) {

    /** These chunks with a recomputing pass's chunk of {@code elements}. */
    public HeadChunks withRecomputing(long elements) {
        return new HeadChunks(plain, elements);
    }
}
