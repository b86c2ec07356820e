package dev.dpo4j.core.train;

import dev.dpo4j.core.loss.FDivergence;
import dev.dpo4j.core.loss.LossConfig;
import dev.dpo4j.core.loss.LossOptions;
import java.util.List;

/**
 * The loss's option setters of {@link ConfigBuilder}, flat as TRL's keyword arguments: each sets the option its
 * record declares ({@link LossConfig}, {@link LossOptions}), whose default it starts from.
 *
 * @param <B> the concrete builder
 */
public abstract class LossSetters<B extends LossSetters<B>> extends OptionSetters<B> {

    /** The DPO temperature beta. */
    public B beta(double value) {
        return set(LossOptions::beta, value);
    }

    /** The built-in loss by name, one of {@code Losses.NAMES} (TRL's names), or several separated by commas. */
    public B lossType(String value) {
        return set(LossConfig::lossType, value);
    }

    /** The weight of each loss named in {@code lossType} (comma-separated), as TRL's {@code loss_weights}. */
    public B lossWeights(List<Double> value) {
        return set(LossConfig::lossWeights, value);
    }

    /** RPO: adds this weight times the chosen completions' negative log-likelihood to the built-in loss (0: off). */
    public B rpoAlpha(double value) {
        return set(LossConfig::rpoAlpha, value);
    }

    /**
     * WPO: weights each pair's loss by the policy's length-normalized probability of its two completions, as TRL's
     * {@code use_weighting} (not with {@code aot} or {@code aot_unpaired}).
     */
    public B useWeighting(boolean value) {
        return set(LossConfig::useWeighting, value);
    }

    /**
     * LD-DPO: completion tokens beyond the shorter completion of a pair count {@code value} times in the log-probs,
     * in [0, 1], as TRL's {@code ld_alpha}; null: off.
     */
    public B ldAlpha(Double value) {
        return set(LossConfig::ldAlpha, value);
    }

    /** Label smoothing for conservative or robust DPO. */
    public B labelSmoothing(double value) {
        return set(LossOptions::labelSmoothing, value);
    }

    /** SimPO's target margin gamma. */
    public B simpoGamma(double value) {
        return set(LossOptions::simpoGamma, value);
    }

    /** The divergence towards the reference (f-DPO), as TRL's {@code f_divergence_type}. */
    public B fDivergenceType(FDivergence value) {
        return set(LossOptions::fDivergenceType, value);
    }

    /** The alpha divergence's coefficient (with {@code ALPHA_DIVERGENCE}). */
    public B fAlphaDivergenceCoef(double value) {
        return set(LossOptions::fAlphaDivergenceCoef, value);
    }

    /** DiscoPOP's temperature tau (with {@code loss_type discopop}). */
    public B discopopTau(double value) {
        return set(LossOptions::discopopTau, value);
    }
}
