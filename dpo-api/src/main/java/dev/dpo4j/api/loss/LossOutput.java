package dev.dpo4j.api.loss;

import ai.djl.ndarray.NDArray;
import java.util.Objects;

/**
 * What a preference loss returns, each of shape {@code (pairs)}.
 *
 * @param losses the loss of each pair; the trainer averages them and back-propagates
 * @param chosenRewards the implicit reward of each chosen completion (reported, not differentiated)
 * @param rejectedRewards the implicit reward of each rejected completion
 */
public record LossOutput(NDArray losses, NDArray chosenRewards, NDArray rejectedRewards) {

    /** Checks presence. */
    public LossOutput {
        Objects.requireNonNull(losses, "losses");
        Objects.requireNonNull(chosenRewards, "chosenRewards");
        Objects.requireNonNull(rejectedRewards, "rejectedRewards");
    }
}
