package dev.dpo4j.core.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The micro-batches of one epoch: pair indices shuffled by a generator seeded with {@code seed} and the epoch, cut
 * into batches of {@code batchSize}. The same seed and epoch give the same order, which resuming relies on.
 */
public final class BatchOrder {

    private BatchOrder() {
    }

    /** Mega-batches of this many batches are sorted by length when grouping, as transformers' sampler does. */
    public static final int GROUP_BATCHES = 50;

    /** The epoch's micro-batches in dataset order or shuffled, each an array of pair indices. */
    public static List<int[]> of(int pairs, int batchSize, long seed, int epoch, boolean shuffle) {
        return of(pairs, batchSize, seed, epoch, shuffle, null);
    }

    /**
     * The epoch's micro-batches; with {@code lengths}, the shuffled pairs are cut into groups of
     * {@link #GROUP_BATCHES} batches, each group sorted longest first and cut into batches, and the batches shuffled
     * again: pairs of similar length share a batch, so less padding is computed, while the order stays random.
     */
    public static List<int[]> of(int pairs, int batchSize, long seed, int epoch, boolean shuffle, int[] lengths) {
        Random random = new Random(seed * 31 + epoch);
        List<Integer> indices = new ArrayList<>(pairs);
        for (int i = 0; i < pairs; i++) {
            indices.add(i);
        }
        if (shuffle) {
            Collections.shuffle(indices, random);
        }
        if (lengths != null) {
            int group = GROUP_BATCHES * batchSize;
            for (int start = 0; start < pairs; start += group) {
                indices.subList(start, Math.min(pairs, start + group))
                        .sort((a, b) -> Integer.compare(lengths[b], lengths[a]));
            }
        }
        List<int[]> batches = new ArrayList<>();
        for (int start = 0; start < pairs; start += batchSize) {
            batches.add(indices.subList(start, Math.min(pairs, start + batchSize)).stream()
                    .mapToInt(Integer::intValue).toArray());
        }
        if (lengths != null && shuffle) {
            Collections.shuffle(batches, random);
        }
        return batches;
    }

    /** Optimizer steps in an epoch of {@code microBatches} micro-batches. */
    public static long stepsPerEpoch(int microBatches, int accumulation) {
        return (microBatches + accumulation - 1) / accumulation;
    }
}
