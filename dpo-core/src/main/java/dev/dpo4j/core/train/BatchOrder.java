package dev.dpo4j.core.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The micro-batches of one epoch: pair indices shuffled by a generator seeded with {@code seed} and the epoch, cut
 * into batches of {@code batchSize}. The same seed and epoch give the same order, which resuming relies on.
 */
final class BatchOrder {

    private BatchOrder() {
    }

    /** The epoch's micro-batches, each an array of pair indices. */
    static List<int[]> of(int pairs, int batchSize, long seed, int epoch, boolean shuffle) {
        List<Integer> indices = new ArrayList<>(pairs);
        for (int i = 0; i < pairs; i++) {
            indices.add(i);
        }
        if (shuffle) {
            Collections.shuffle(indices, new Random(seed * 31 + epoch));
        }
        List<int[]> batches = new ArrayList<>();
        for (int start = 0; start < pairs; start += batchSize) {
            batches.add(indices.subList(start, Math.min(pairs, start + batchSize)).stream()
                    .mapToInt(Integer::intValue).toArray());
        }
        return batches;
    }

    /** Optimizer steps in an epoch of {@code microBatches} micro-batches. */
    static long stepsPerEpoch(int microBatches, int accumulation) {
        return (microBatches + accumulation - 1) / accumulation;
    }
}
