package dev.dpo4j.core.loss;

import dev.dpo4j.api.loss.LossFunction;
import dev.dpo4j.api.options.Problems;
import java.util.List;

/**
 * Which built-in loss a run optimizes and with what parameters, named as TRL's {@code DPOConfig}.
 *
 * @param lossType a built-in of {@link Losses#NAMES}, or several separated by commas (default {@code sigmoid})
 * @param lossWeights the weight of each loss in {@code lossType} (null: 1 each), as TRL's {@code loss_weights}
 * @param rpoAlpha weight of the chosen completions' negative log-likelihood added to the loss (RPO); 0: off
 * @param options the losses' parameters (beta, label smoothing, SimPO gamma, DiscoPOP tau, f-divergence)
 */
public record LossConfig(String lossType, List<Double> lossWeights, double rpoAlpha, LossOptions options) {

    /** TRL's defaults: {@code sigmoid} with {@link LossOptions#DEFAULTS}, no RPO. */
    public static final LossConfig DEFAULTS = new LossConfig("sigmoid", null, 0, LossOptions.DEFAULTS);

    /** Checks the choice; the error lists every problem, each naming its option. */
    public LossConfig {
        lossWeights = lossWeights == null ? null : List.copyOf(lossWeights);
        new Problems()
                .require(lossType != null, "loss_type is required")
                .require(options != null, "the loss options are required")
                .require(rpoAlpha >= 0, "rpo_alpha must not be negative, got " + rpoAlpha)
                .require(lossWeights == null || lossWeights.stream().allMatch(Double::isFinite),
                        "loss_weights must be finite numbers, got " + lossWeights)
                .throwIfAny();
    }

    /**
     * The loss: the built-in(s) of {@code lossType} summed by {@code lossWeights}, plus {@code rpoAlpha} times the
     * chosen completions' negative log-likelihood when RPO is on.
     *
     * @throws IllegalArgumentException naming the built-ins when a name is unknown
     */
    public LossFunction build() {
        LossFunction builtIn = Losses.byName(lossType, lossWeights, options);
        if (rpoAlpha <= 0) {
            return builtIn;
        }
        return Losses.combined(List.of(builtIn, Losses.byName("sft", null, options)),
                List.of(1.0, rpoAlpha));
    }
}
