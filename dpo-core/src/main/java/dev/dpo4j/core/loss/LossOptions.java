package dev.dpo4j.core.loss;

import dev.dpo4j.api.options.Option;
import dev.dpo4j.api.options.OptionRecords;

/** The parameters of the built-in losses, named and defaulted as in TRL's {@code DPOConfig}. */
public record LossOptions(
        @Option(doc = "DPO temperature: how far the policy may move from the reference.", value = "0.1", label = "B",
                min = 0, minExclusive = true)
        double beta,
        @Option(doc = "Assumed label noise in [0, 0.5) for conservative (sigmoid), robust or aot DPO; EXO's target "
                + "weight on the rejected completion.", value = "0", label = "E", min = 0, max = 0.5,
                maxExclusive = true)
        double labelSmoothing,
        @Option(doc = "SimPO's target reward margin (with --loss_type simpo).", value = "0.5", label = "G")
        double simpoGamma,
        @Option(doc = "DiscoPOP's temperature (with --loss_type discopop).", value = "" + Losses.DEFAULT_DISCOPOP_TAU,
                label = "T", min = 0, minExclusive = true)
        double discopopTau,
        @Option(doc = "The divergence towards the reference (f-DPO): reverse_kl (plain DPO), forward_kl, "
                + "js_divergence or alpha_divergence.", value = "reverse_kl", label = "F")
        FDivergence fDivergenceType,
        @Option(doc = "The alpha divergence's coefficient.", value = "1.0", label = "A", finite = true)
        double fAlphaDivergenceCoef) {

    /** TRL's defaults: beta 0.1, no label smoothing, SimPO gamma 0.5, DiscoPOP tau 0.05, reverse KL. */
    public static final LossOptions DEFAULTS = OptionRecords.defaults(LossOptions.class);

    /** Checks ranges; the error lists every problem, each naming its option. */
    public LossOptions {
        OptionRecords.check(LossOptions.class, beta, labelSmoothing, simpoGamma, discopopTau, fDivergenceType,
                fAlphaDivergenceCoef).throwIfAny();
    }

    /** TRL's defaults with the given beta. */
    public static LossOptions of(double beta) {
        return DEFAULTS.withBeta(beta);
    }

    /** These options with another beta. */
    public LossOptions withBeta(double value) {
        return OptionRecords.with(this, LossOptions::beta, value);
    }

    /** These options with another label smoothing. */
    public LossOptions withLabelSmoothing(double value) {
        return OptionRecords.with(this, LossOptions::labelSmoothing, value);
    }

    /** These options with another SimPO gamma. */
    public LossOptions withSimpoGamma(double value) {
        return OptionRecords.with(this, LossOptions::simpoGamma, value);
    }

    /** These options with another DiscoPOP temperature. */
    public LossOptions withDiscopopTau(double value) {
        return OptionRecords.with(this, LossOptions::discopopTau, value);
    }

    /** These options with another divergence and coefficient. */
    public LossOptions withFDivergence(FDivergence value, double alphaCoef) {
        return OptionRecords.with(OptionRecords.with(this, LossOptions::fDivergenceType, value),
                LossOptions::fAlphaDivergenceCoef, alphaCoef);
    }
}
