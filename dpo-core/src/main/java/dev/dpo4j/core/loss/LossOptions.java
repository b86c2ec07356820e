package dev.dpo4j.core.loss;

import dev.dpo4j.api.options.Problems;

/**
 * The parameters of the built-in losses, named and defaulted as in TRL's {@code DPOConfig}.
 *
 * @param beta the temperature of the implicit reward (0.1)
 * @param labelSmoothing assumed label noise for conservative, robust and AOT DPO, and EXO's target (0)
 * @param simpoGamma SimPO's target reward margin (0.5)
 * @param discopopTau DiscoPOP's temperature (0.05)
 * @param fDivergenceType how log-ratios become scores (reverse KL: plain DPO)
 * @param fAlphaDivergenceCoef the alpha divergence's coefficient (1)
 */
public record LossOptions(double beta, double labelSmoothing, double simpoGamma, double discopopTau,
        FDivergence fDivergenceType, double fAlphaDivergenceCoef) {

    /** TRL's defaults: beta 0.1, no label smoothing, SimPO gamma 0.5, DiscoPOP tau 0.05, reverse KL. */
    public static final LossOptions DEFAULTS = new LossOptions(0.1, 0, 0.5, Losses.DEFAULT_DISCOPOP_TAU,
            FDivergence.REVERSE_KL, 1);

    /** Checks ranges; the error lists every problem, each naming its option. */
    public LossOptions {
        new Problems()
                .require(beta > 0, "beta must be positive, got " + beta)
                .require(labelSmoothing >= 0 && labelSmoothing < 0.5,
                        "label_smoothing must be in [0, 0.5), got " + labelSmoothing)
                .require(discopopTau > 0, "discopop_tau must be positive, got " + discopopTau)
                .require(fDivergenceType != null, "f_divergence_type is required")
                .require(Double.isFinite(fAlphaDivergenceCoef),
                        "f_alpha_divergence_coef must be finite, got " + fAlphaDivergenceCoef)
                .throwIfAny();
    }

    /** TRL's defaults with the given beta. */
    public static LossOptions of(double beta) {
        return DEFAULTS.withBeta(beta);
    }

    /** These options with another beta. */
    public LossOptions withBeta(double value) {
        return new LossOptions(value, labelSmoothing, simpoGamma, discopopTau, fDivergenceType, fAlphaDivergenceCoef);
    }

    /** These options with another label smoothing. */
    public LossOptions withLabelSmoothing(double value) {
        return new LossOptions(beta, value, simpoGamma, discopopTau, fDivergenceType, fAlphaDivergenceCoef);
    }

    /** These options with another SimPO gamma. */
    public LossOptions withSimpoGamma(double value) {
        return new LossOptions(beta, labelSmoothing, value, discopopTau, fDivergenceType, fAlphaDivergenceCoef);
    }

    /** These options with another DiscoPOP temperature. */
    public LossOptions withDiscopopTau(double value) {
        return new LossOptions(beta, labelSmoothing, simpoGamma, value, fDivergenceType, fAlphaDivergenceCoef);
    }

    /** These options with another divergence and coefficient. */
    public LossOptions withFDivergence(FDivergence value, double alphaCoef) {
        return new LossOptions(beta, labelSmoothing, simpoGamma, discopopTau, value, alphaCoef);
    }
}
