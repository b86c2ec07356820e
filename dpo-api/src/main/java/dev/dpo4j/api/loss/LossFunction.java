package dev.dpo4j.api.loss;

/**
 * A preference-optimization objective: maps policy (and reference) log-probabilities of chosen and rejected
 * completions to a loss per pair and the implicit rewards that are logged.
 *
 * <p>The 16 built-ins come from {@code dev.dpo4j.core.loss.Losses}, named as TRL's {@code loss_type}:
 * {@code sigmoid} (DPO), {@code robust}, {@code hinge}, {@code ipo}, {@code simpo}, {@code sigmoid_norm},
 * {@code exo_pair}, {@code nca_pair}, {@code bco_pair}, {@code sppo_hard}, {@code aot}, {@code aot_unpaired},
 * {@code apo_zero}, {@code apo_down}, {@code discopop} and {@code sft}.
 * An implementation uses only NDArray operations so that gradients flow back to the policy, with numbers through
 * {@link LossMath} (never {@code x.mul(0.5)}: see {@link dev.dpo4j.api.arrays.Scalars}). Training on several
 * devices calls it from one thread per device at the same time, so it should keep no mutable state.
 */
public interface LossFunction {

    /** Computes the loss of each pair. */
    LossOutput compute(PreferenceLogps logps);

    /** Whether this loss reads reference log-probs; reference-free losses let the trainer skip the reference. */
    default boolean needsReference() {
        return true;
    }

    /** A short name for logs and the CLI, such as {@code sigmoid}. */
    default String name() {
        return getClass().getSimpleName();
    }
}
