package dev.dpo4j.core.loss;

import ai.djl.ndarray.NDArray;
import dev.dpo4j.api.NamedChoices;
import dev.dpo4j.api.loss.LossMath;

/**
 * The divergence that regularizes the policy towards the reference, as TRL's {@code f_divergence_type} (f-DPO,
 * Wang et al. 2023, arXiv:2309.16240): it turns each completion's log-ratio {@code u = log pi - log ref} into the
 * score the preference losses compare, {@code f'(exp u)} without its constant.
 */
public enum FDivergence {
    /** Standard DPO: the score is the log-ratio itself. */
    REVERSE_KL,
    /** {@code -exp(-u)}. */
    FORWARD_KL,
    /** Jensen-Shannon: {@code log sigmoid(u)}. */
    JS_DIVERGENCE,
    /** {@code exp((a - 1) u) / (a - 1)} with coefficient {@code a} (the log-ratio itself at {@code a = 1}). */
    ALPHA_DIVERGENCE;

    /** Largest exponent of the alpha divergence, as TRL clamps it in float32. */
    private static final double MAX_EXPONENT = 80;

    private static final NamedChoices<FDivergence> CHOICES = NamedChoices.ofEnum("f_divergence_type",
            FDivergence.class);

    /** Parses TRL's names, spelled as {@link dev.dpo4j.api.Names} allows; errors name the option. */
    public static FDivergence parse(String name) {
        return CHOICES.get(name);
    }

    /** The scores of log-ratios {@code u}; {@code alpha} is the alpha divergence's coefficient. */
    NDArray scores(NDArray u, double alpha) {
        switch (this) {
            case FORWARD_KL:
                return u.neg().exp().neg();
            case JS_DIVERGENCE:
                return LossMath.logSigmoid(u);
            case ALPHA_DIVERGENCE:
                if (Math.abs(alpha - 1) < 1e-6) {
                    return u;
                }
                NDArray exponent = LossMath.minimum(LossMath.scale(u, alpha - 1), MAX_EXPONENT);
                return LossMath.scale(exponent.exp(), 1 / (alpha - 1));
            default:
                return u;
        }
    }
}
