package dev.dpo4j.core.train;

import dev.dpo4j.api.options.Problems;
import dev.dpo4j.core.loss.FDivergence;
import dev.dpo4j.core.loss.LossConfig;
import dev.dpo4j.core.loss.LossOptions;
import java.util.List;

/**
 * The loss's option setters of {@link ConfigBuilder}, flat as TRL's keyword arguments, starting from
 * {@link LossConfig#DEFAULTS}.
 *
 * @param <B> the concrete builder
 */
public abstract class LossSetters<B extends LossSetters<B>> {
    private static final LossOptions LOSS = LossOptions.DEFAULTS;

    private String lossType = LossConfig.DEFAULTS.lossType();
    private List<Double> lossWeights = LossConfig.DEFAULTS.lossWeights();
    private double rpoAlpha = LossConfig.DEFAULTS.rpoAlpha();
    private double beta = LOSS.beta();
    private double labelSmoothing = LOSS.labelSmoothing();
    private double simpoGamma = LOSS.simpoGamma();
    private double discopopTau = LOSS.discopopTau();
    private FDivergence fDivergenceType = LOSS.fDivergenceType();
    private double fAlphaDivergenceCoef = LOSS.fAlphaDivergenceCoef();

    /** This builder, typed. */
    protected abstract B self();

    /** Copies the loss options of an existing config. */
    B copyLoss(LossConfig c) {
        lossType = c.lossType();
        lossWeights = c.lossWeights();
        rpoAlpha = c.rpoAlpha();
        LossOptions l = c.options();
        beta = l.beta();
        labelSmoothing = l.labelSmoothing();
        simpoGamma = l.simpoGamma();
        discopopTau = l.discopopTau();
        fDivergenceType = l.fDivergenceType();
        fAlphaDivergenceCoef = l.fAlphaDivergenceCoef();
        return self();
    }

    /** The DPO temperature beta. */
    public B beta(double value) {
        beta = value;
        return self();
    }

    /** The built-in loss by name, one of {@code Losses.NAMES} (TRL's names). */
    public B lossType(String value) {
        lossType = value;
        return self();
    }

    /** The weight of each loss named in {@code lossType} (comma-separated), as TRL's {@code loss_weights}. */
    public B lossWeights(List<Double> value) {
        lossWeights = value == null ? null : List.copyOf(value);
        return self();
    }

    /**
     * RPO: adds this weight times the chosen completions' negative log-likelihood to the built-in loss of
     * {@code lossType} (0: off; a loss given to the trainer as an object is used as it is).
     */
    public B rpoAlpha(double value) {
        rpoAlpha = value;
        return self();
    }

    /** Label smoothing for conservative or robust DPO. */
    public B labelSmoothing(double value) {
        labelSmoothing = value;
        return self();
    }

    /** SimPO's target margin gamma. */
    public B simpoGamma(double value) {
        simpoGamma = value;
        return self();
    }

    /** The divergence towards the reference (f-DPO), as TRL's {@code f_divergence_type}. */
    public B fDivergenceType(FDivergence value) {
        fDivergenceType = value;
        return self();
    }

    /** The alpha divergence's coefficient (with {@code ALPHA_DIVERGENCE}). */
    public B fAlphaDivergenceCoef(double value) {
        fAlphaDivergenceCoef = value;
        return self();
    }

    /** DiscoPOP's temperature tau (with {@code loss_type discopop}). */
    public B discopopTau(double value) {
        discopopTau = value;
        return self();
    }

    /** The loss options, validated; their problems go to {@code problems} (null then). */
    LossConfig buildLoss(Problems problems) {
        LossOptions lossOptions = problems.collect(() -> new LossOptions(beta, labelSmoothing, simpoGamma,
                discopopTau, fDivergenceType, fAlphaDivergenceCoef));
        return problems.collect(() -> new LossConfig(lossType, lossWeights, rpoAlpha,
                lossOptions != null ? lossOptions : LOSS));
    }
}
