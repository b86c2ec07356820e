package dev.dpo4j.core.reference;

import ai.djl.ndarray.NDManager;
import dev.dpo4j.core.data.BatchOrder;
import dev.dpo4j.core.data.PairBatch;
import dev.dpo4j.core.data.PairCollator;
import dev.dpo4j.core.data.TokenizedPair;
import java.util.ArrayList;
import java.util.List;

/** The precompute pass: pairs scored by a live reference, a bounded batch at a time. */
final class Scoring {

    private Scoring() {
    }

    /**
     * The chosen ({@code [0]}) and rejected ({@code [1]}) log-probs of {@code pairs} in their order, scored with
     * {@code live} {@code batchSize} pairs at a time.
     */
    static float[][] score(ReferenceLogps live, List<TokenizedPair> pairs, PairCollator collator, int batchSize,
            NDManager parent) {
        int count = pairs.size();
        float[] chosen = new float[count];
        float[] rejected = new float[count];
        for (int[] batch : BatchOrder.of(count, batchSize, 0, 0, false)) {
            try (NDManager scope = parent.newSubManager()) {
                List<TokenizedPair> selected = new ArrayList<>(batch.length);
                for (int index : batch) {
                    selected.add(pairs.get(index));
                }
                PairBatch.Arrays arrays = collator.collate(selected).toArrays(scope);
                float[] logps = live.logps(batch, arrays, scope).toFloatArray();
                for (int i = 0; i < batch.length; i++) {
                    chosen[batch[i]] = logps[i];
                    rejected[batch[i]] = logps[batch.length + i];
                }
            }
        }
        return new float[][] {chosen, rejected};
    }
}
