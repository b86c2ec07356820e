package dev.dpo4j.core.scoring;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/**
 * Per-sequence sums over the completion tokens of what the policy's predictive distribution says beyond the target's
 * log-prob, all detached: TRL's {@code entropy} and {@code mean_token_accuracy} metrics and WPO's weights (Zhou et
 * al. 2024, TRL's {@code use_weighting}) come from them. Each has shape {@code (2 * pairs)}, chosen sequences first.
 *
 * @param entropy the sum of each token's entropy {@code -sum_v p(v) log p(v)}
 * @param correct how many tokens are the most probable one (the first of equals, as {@code argmax})
 * @param alignedLogps the sum of each token's {@code log p(y) - log sum_v p(v)^2}: its log-prob under the
 *     distribution that WPO aligns the policy with (TRL's {@code per_token_logps - log_denom})
 */
public record TokenStatistics(NDArray entropy, NDArray correct, NDArray alignedLogps) {

    /** Log-softmax elements one slice of a chunk holds while its statistics are computed: 16 Mi, 64 MiB. */
    public static final long SLICE_ELEMENTS = 1L << 24;

    /**
     * Each token's entropy, hit (1 or 0) and aligned log-prob, in this order, from its detached float32
     * log-softmax {@code (tokens, vocab)} and target ids; in slices of rows of at most {@link #SLICE_ELEMENTS}
     * elements, each slice's temporaries freed before the next.
     */
    static NDList ofTokens(NDArray logSoftmax, NDArray targets) {
        return ofTokens(logSoftmax, targets, SLICE_ELEMENTS);
    }

    /** As {@link #ofTokens(NDArray, NDArray)}, in slices of at most {@code sliceElements} (at least a row). */
    static NDList ofTokens(NDArray logSoftmax, NDArray targets, long sliceElements) {
        long tokens = logSoftmax.getShape().get(0);
        long rows = Math.max(1, sliceElements / logSoftmax.getShape().get(1));
        NDManager parent = logSoftmax.getManager();
        NDList[] slices = new NDList[(int) ((tokens + rows - 1) / rows)];
        for (long start = 0; start < tokens; start += rows) {
            try (NDManager slice = parent.newSubManager()) {
                NDIndex range = new NDIndex("{}:{}", start, Math.min(tokens, start + rows));
                NDArray part = logSoftmax.get(range);
                part.attach(slice);
                NDArray target = targets.get(range);
                target.attach(slice);
                NDList values = slice(part, target);
                values.attach(parent);
                slices[(int) (start / rows)] = values;
            }
        }
        if (slices.length == 1) {
            return slices[0];
        }
        NDList joined = new NDList(3);
        for (int i = 0; i < 3; i++) {
            NDList column = new NDList(slices.length);
            for (NDList values : slices) {
                column.add(values.get(i));
            }
            joined.add(NDArrays.concat(column));
        }
        return joined;
    }

    private static NDList slice(NDArray logSoftmax, NDArray targets) {
        NDArray probs = logSoftmax.exp();
        NDArray entropy = probs.mul(logSoftmax).sum(new int[] {-1}).neg();
        NDArray hits = logSoftmax.argMax(-1).eq(targets).toType(DataType.FLOAT32, false);
        NDArray logp = logSoftmax.gather(targets.reshape(-1, 1), 1).reshape(-1);
        NDArray aligned = logp.sub(probs.mul(probs).sum(new int[] {-1}).log());
        return new NDList(entropy, hits, aligned);
    }
}
