package dev.dpo4j.core.data;

import java.util.List;

/**
 * Pads tokenized pairs into one batch of chosen and rejected sequences, right-padded to the longest sequence
 * (optionally rounded up to a multiple, which tensor cores like), and lists the completion positions to score.
 */
public final class PairCollator {

    private final int padId;
    private final int padToMultipleOf;

    /**
     * Creates the collator.
     *
     * @param padId the id written into padding positions (masked out of everything)
     * @param padToMultipleOf round the padded length up to a multiple of this (1 for none)
     */
    public PairCollator(int padId, int padToMultipleOf) {
        if (padToMultipleOf < 1) {
            throw new IllegalArgumentException("padToMultipleOf must be at least 1, got " + padToMultipleOf);
        }
        this.padId = padId;
        this.padToMultipleOf = padToMultipleOf;
    }

    /** Collates the pairs: sequence {@code i} is pair i's chosen, sequence {@code pairs + i} its rejected. */
    public PairBatch collate(List<TokenizedPair> pairs) {
        int count = pairs.size();
        int longest = pairs.stream().mapToInt(TokenizedPair::length).max().orElseThrow();
        int length = (longest + padToMultipleOf - 1) / padToMultipleOf * padToMultipleOf;
        int scored = pairs.stream().mapToInt(p -> p.chosen().length + p.rejected().length).sum();
        long[] ids = new long[2 * count * length];
        java.util.Arrays.fill(ids, padId);
        long[] rows = new long[scored];
        long[] targets = new long[scored];
        int[] sequenceOf = new int[scored];
        float[] completionLengths = new float[2 * count];
        long policyTokens = 0;
        int cursor = 0;
        for (int s = 0; s < 2 * count; s++) {
            TokenizedPair pair = pairs.get(s % count);
            int[] completion = s < count ? pair.chosen() : pair.rejected();
            int base = s * length;
            for (int i = 0; i < pair.prompt().length; i++) {
                ids[base + i] = pair.prompt()[i];
            }
            for (int i = 0; i < completion.length; i++) {
                int position = pair.prompt().length + i;
                ids[base + position] = completion[i];
                rows[cursor] = base + position - 1L;
                targets[cursor] = completion[i];
                sequenceOf[cursor++] = s;
            }
            completionLengths[s] = completion.length;
            policyTokens += pair.prompt().length + completion.length;
        }
        return new PairBatch(count, length, ids, rows, targets, sequenceOf, completionLengths, policyTokens);
    }
}
