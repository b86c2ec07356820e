package dev.dpo4j.core.loss;

/**
 * The parameters of the built-in losses, named and defaulted as in TRL's {@code DPOConfig}.
 *
 * @param beta the temperature of the implicit reward (0.1)
 * @param labelSmoothing assumed label noise for conservative, robust and AOT DPO, and EXO's target (0)
 * @param simpoGamma SimPO's target reward margin (0.5)
 * @param discopopTau DiscoPOP's temperature (0.05)
 * @param fDivergence how log-ratios become scores (reverse KL: plain DPO)
 * @param fAlphaDivergenceCoef the alpha divergence's coefficient (1)
 */
public record LossOptions(double beta, double labelSmoothing, double simpoGamma, double discopopTau,
        FDivergence fDivergence, double fAlphaDivergenceCoef) {

    /** Checks ranges; errors name the option. */
    public LossOptions {
        if (!(beta > 0)) {
            throw new IllegalArgumentException("beta must be positive, got " + beta);
        }
        if (labelSmoothing < 0 || labelSmoothing >= 0.5) {
            throw new IllegalArgumentException("label_smoothing must be in [0, 0.5), got " + labelSmoothing);
        }
        if (!(discopopTau > 0)) {
            throw new IllegalArgumentException("discopop_tau must be positive, got " + discopopTau);
        }
        if (fDivergence == null) {
            throw new IllegalArgumentException("f_divergence_type is required");
        }
        if (!Double.isFinite(fAlphaDivergenceCoef)) {
            throw new IllegalArgumentException("f_alpha_divergence_coef must be finite, got " + fAlphaDivergenceCoef);
        }
    }

    /** TRL's defaults with the given beta. */
    public static LossOptions of(double beta) {
        return new LossOptions(beta, 0, 0.5, Losses.DEFAULT_DISCOPOP_TAU, FDivergence.REVERSE_KL, 1);
    }

    /** These options with another label smoothing. */
    public LossOptions withLabelSmoothing(double value) {
        return new LossOptions(beta, value, simpoGamma, discopopTau, fDivergence, fAlphaDivergenceCoef);
    }

    /** These options with another SimPO gamma. */
    public LossOptions withSimpoGamma(double value) {
        return new LossOptions(beta, labelSmoothing, value, discopopTau, fDivergence, fAlphaDivergenceCoef);
    }

    /** These options with another DiscoPOP temperature. */
    public LossOptions withDiscopopTau(double value) {
        return new LossOptions(beta, labelSmoothing, simpoGamma, value, fDivergence, fAlphaDivergenceCoef);
    }

    /** These options with another divergence and coefficient. */
    public LossOptions withFDivergence(FDivergence value, double alphaCoef) {
        return new LossOptions(beta, labelSmoothing, simpoGamma, discopopTau, value, alphaCoef);
    }
}
