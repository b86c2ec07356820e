package dev.dpo4j.core.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * A collated batch of {@code pairs} preference pairs as {@code 2 * pairs} right-padded sequences (chosen ones
 * first, then rejected ones) of {@code length} tokens, plus the completion positions that are scored: for each
 * completion token, the flat row of the hidden state that predicts it, its id, and which sequence it belongs to.
 *
 * @param pairs number of pairs
 * @param length padded sequence length
 * @param inputIds token ids, {@code 2 * pairs * length}, row-major
 * @param scoredRows flat index {@code sequence * length + position - 1} of each scored completion token
 * @param targets the id of each scored completion token
 * @param sequenceOf the sequence (0 .. 2 * pairs - 1) of each scored token
 * @param completionLengths completion tokens of each sequence
 * @param policyTokens real (non-pad) tokens over all sequences
 */
public record PairBatch(int pairs, int length, long[] inputIds, long[] scoredRows, long[] targets, int[] sequenceOf,
        float[] completionLengths, long policyTokens) {

    /** The batch's arrays on the device of {@code manager}. */
    public Arrays toArrays(NDManager manager) {
        int sequences = 2 * pairs;
        float[] segments = new float[sequences * targets.length];
        for (int i = 0; i < targets.length; i++) {
            segments[sequenceOf[i] * targets.length + i] = 1f;
        }
        return new Arrays(manager.create(inputIds, new Shape(sequences, length)), manager.create(scoredRows),
                manager.create(targets), manager.create(segments, new Shape(sequences, targets.length)),
                manager.create(completionLengths));
    }

    /**
     * The batch on a device.
     *
     * @param inputIds {@code (2 * pairs, length)} int64 ids
     * @param scoredRows {@code (tokens)} int64 flat hidden-state rows
     * @param targets {@code (tokens)} int64 target ids
     * @param segments {@code (2 * pairs, tokens)} float32 one-hot sequence membership, to sum per sequence
     * @param completionLengths {@code (2 * pairs)} float32 completion lengths
     */
    public record Arrays(NDArray inputIds, NDArray scoredRows, NDArray targets, NDArray segments,
            NDArray completionLengths) {
    }
}
