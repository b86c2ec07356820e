package dev.dpo4j.core.optim;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/** What a training checkpoint saves of an optimizer and restores into it: its moments by name and its step count. */
public interface OptimizerState {

    /** The moments as {@code exp_avg.NAME} and {@code exp_avg_sq.NAME} arrays, as PyTorch's AdamW names them. */
    Map<String, NDArray> state();

    /** Updates applied so far. */
    long steps();

    /**
     * Copies saved moments into the state (exactly {@link #state()}'s keys, each in its shape) and sets the step
     * count.
     *
     * @throws IllegalArgumentException naming a key missing, unexpected or of another shape, before anything is
     *     copied
     */
    void restore(Map<String, NDArray> saved, long stepCount);
}
