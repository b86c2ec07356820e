package dev.dpo4j.core.data;

import java.util.List;

/**
 * Pads tokenized pairs into one batch, right-padded to the longest row (optionally rounded up to a multiple, which
 * tensor cores like), and lists the completion tokens to score. Unshared, each pair gives a chosen row and a
 * rejected row {@code [prompt; completion]}; shared ({@code share_prompt}), one row {@code [prompt; chosen; rejected]}
 * whose prompt runs once for both completions (prefix sharing, as in "Accelerating Direct Preference Optimization
 * with Prefix Sharing", 2024). Both layouts give the same log-probs.
 *
 * <p>A completion token at position 0 (possible only after an empty prompt) has no hidden state before it and is not
 * scored, as TRL's shifted labels do not score a sequence's first token.
 */
public final class PairCollator {

    private final int padId;
    private final int padToMultipleOf;
    private final boolean sharePrompt;
    private final Double ldAlpha;

    /**
     * Creates a collator of the unshared layout.
     *
     * @param padId the id written into padding positions (masked out of everything)
     * @param padToMultipleOf round the padded length up to a multiple of this (1 for none)
     */
    public PairCollator(int padId, int padToMultipleOf) {
        this(padId, padToMultipleOf, false);
    }

    /**
     * Creates the collator.
     *
     * @param padId the id written into padding positions (masked out of everything)
     * @param padToMultipleOf round the padded length up to a multiple of this (1 for none)
     * @param sharePrompt one row per pair, its prompt shared by both completions, instead of two
     */
    public PairCollator(int padId, int padToMultipleOf, boolean sharePrompt) {
        this(padId, padToMultipleOf, sharePrompt, null);
    }

    /**
     * Creates the collator, its batches {@link PairBatch#lengthDesensitized} by {@code ldAlpha} unless it is null.
     *
     * @param ldAlpha LD-DPO's weight of the completion tokens beyond the shorter completion of a pair, in [0, 1];
     *     null: every token counts fully
     */
    public PairCollator(int padId, int padToMultipleOf, boolean sharePrompt, Double ldAlpha) {
        if (padToMultipleOf < 1) {
            throw new IllegalArgumentException("padToMultipleOf must be at least 1, got " + padToMultipleOf);
        }
        if (ldAlpha != null && !(ldAlpha >= 0 && ldAlpha <= 1)) {
            throw new IllegalArgumentException("ld_alpha must be in [0, 1], got " + ldAlpha);
        }
        this.padId = padId;
        this.padToMultipleOf = padToMultipleOf;
        this.sharePrompt = sharePrompt;
        this.ldAlpha = ldAlpha;
    }

    /** Whether batches share each pair's prompt between its completions. */
    public boolean sharePrompt() {
        return sharePrompt;
    }

    /** Collates the pairs: sequence {@code i} is pair i's chosen, sequence {@code pairs + i} its rejected. */
    public PairBatch collate(List<TokenizedPair> pairs) {
        PairBatch batch = sharePrompt ? shared(pairs) : unshared(pairs);
        return ldAlpha == null ? batch : batch.lengthDesensitized(ldAlpha);
    }

    private PairBatch unshared(List<TokenizedPair> pairs) {
        int count = pairs.size();
        int length = padded(pairs.stream().mapToInt(TokenizedPair::length).max().orElseThrow());
        long[] ids = new long[2 * count * length];
        java.util.Arrays.fill(ids, padId);
        Scored scored = new Scored(pairs);
        for (int s = 0; s < 2 * count; s++) {
            TokenizedPair pair = pairs.get(s % count);
            int[] completion = s < count ? pair.chosen() : pair.rejected();
            int base = s * length;
            int promptLength = pair.prompt().length;
            for (int i = 0; i < promptLength; i++) {
                ids[base + i] = pair.prompt()[i];
            }
            for (int i = 0; i < completion.length; i++) {
                ids[base + promptLength + i] = completion[i];
                scored.add(s, promptLength + i, base + promptLength + i - 1L, completion[i]);
            }
        }
        return new PairBatch(count, length, ids, scored.rows(), scored.targets(), scored.sequenceOf(),
                scored.completionLengths, policyTokens(pairs));
    }

    /**
     * Row {@code i} is pair i's {@code [prompt; chosen; rejected]}: positions {@code 0..P-1} for the prompt,
     * {@code P..P+C-1} for chosen and again {@code P..P+R-1} for rejected, so each completion stands where it stands
     * in its unshared row; chosen token k is predicted by index {@code P+k-1}, rejected token 0 by the last prompt
     * token (index {@code P-1}, as chosen token 0) and rejected token k by index {@code P+C+k-1}.
     */
    private PairBatch shared(List<TokenizedPair> pairs) {
        int count = pairs.size();
        int length = padded(pairs.stream()
                .mapToInt(p -> p.prompt().length + p.chosen().length + p.rejected().length).max().orElseThrow());
        long[] ids = new long[count * length];
        long[] positions = new long[count * length];
        int[] blocks = new int[count * length];
        java.util.Arrays.fill(ids, padId);
        java.util.Arrays.fill(blocks, PairBatch.PADDING);
        Scored scored = new Scored(pairs);
        for (int s = 0; s < 2 * count; s++) {
            TokenizedPair pair = pairs.get(s % count);
            boolean chosen = s < count;
            int[] completion = chosen ? pair.chosen() : pair.rejected();
            int base = (s % count) * length;
            int promptLength = pair.prompt().length;
            if (chosen) {
                for (int i = 0; i < promptLength; i++) {
                    ids[base + i] = pair.prompt()[i];
                    positions[base + i] = i;
                    blocks[base + i] = PairBatch.PROMPT;
                }
            }
            int start = base + promptLength + (chosen ? 0 : pair.chosen().length);
            for (int i = 0; i < completion.length; i++) {
                ids[start + i] = completion[i];
                positions[start + i] = promptLength + i;
                blocks[start + i] = chosen ? PairBatch.CHOSEN : PairBatch.REJECTED;
                scored.add(s, promptLength + i, i == 0 ? base + promptLength - 1L : start + i - 1L, completion[i]);
            }
        }
        return new PairBatch(count, length, ids, scored.rows(), scored.targets(), scored.sequenceOf(),
                scored.completionLengths, policyTokens(pairs), positions, blocks);
    }

    private int padded(int longest) {
        return (longest + padToMultipleOf - 1) / padToMultipleOf * padToMultipleOf;
    }

    /** Tokens of the unshared layout: each prompt twice, with each completion. */
    private static long policyTokens(List<TokenizedPair> pairs) {
        return pairs.stream().mapToLong(p -> 2L * p.prompt().length + p.chosen().length + p.rejected().length).sum();
    }

    /** The scored tokens, collected sequence by sequence. */
    private static final class Scored {
        private final long[] rows;
        private final long[] targets;
        private final int[] sequenceOf;
        private final float[] completionLengths;
        private int cursor;

        Scored(List<TokenizedPair> pairs) {
            int tokens = pairs.stream().mapToInt(p -> p.chosen().length + p.rejected().length).sum();
            rows = new long[tokens];
            targets = new long[tokens];
            sequenceOf = new int[tokens];
            completionLengths = new float[2 * pairs.size()];
        }

        /** Scores token {@code id} at {@code position} of {@code sequence}, predicted by flat row {@code row}. */
        void add(int sequence, int position, long row, int id) {
            if (position == 0) {
                return;
            }
            rows[cursor] = row;
            targets[cursor] = id;
            sequenceOf[cursor++] = sequence;
            completionLengths[sequence]++;
        }

        long[] rows() {
            return java.util.Arrays.copyOf(rows, cursor);
        }

        long[] targets() {
            return java.util.Arrays.copyOf(targets, cursor);
        }

        int[] sequenceOf() {
            return java.util.Arrays.copyOf(sequenceOf, cursor);
        }
    }
}
