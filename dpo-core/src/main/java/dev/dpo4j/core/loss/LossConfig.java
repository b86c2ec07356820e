package dev.dpo4j.core.loss;

import dev.dpo4j.api.loss.LossFunction;
import dev.dpo4j.api.options.Option;
import dev.dpo4j.api.options.OptionRecords;
import java.util.List;

/**
 * Which built-in loss a run optimizes and with what parameters, named as TRL's {@code DPOConfig}.
 *
 * @param options the losses' parameters (beta, label smoothing, SimPO gamma, DiscoPOP tau, f-divergence)
 */
public record LossConfig(
        @Option(doc = "sigmoid (DPO), robust, hinge, ipo, simpo, sigmoid_norm, exo_pair, nca_pair, bco_pair, "
                + "sppo_hard, aot, aot_unpaired, apo_zero, apo_down, discopop or sft, as TRL defines them; several "
                + "comma-separated add up (see --loss_weights).", value = "sigmoid", label = "TYPE")
        String lossType,
        @Option(doc = "The weight of each loss when --loss_type names several, comma-separated (e.g. --loss_type "
                + "sigmoid,sft --loss_weights 1,0.5).", defaultDoc = "1 each", label = "W,W")
        List<Double> lossWeights,
        @Option(doc = "RPO: add A times the chosen completions' negative log-likelihood to the loss; 0: off.",
                value = "0", label = "A", min = 0)
        double rpoAlpha,
        @Option(doc = "WPO (Zhou et al. 2024): weight each pair's loss by the policy's own length-normalized "
                + "probability of its chosen and rejected completions (detached), as TRL's use_weighting; every "
                + "loss type but aot and aot_unpaired, which sort the pairs.", value = "false")
        boolean useWeighting,
        @Option(doc = "LD-DPO (Liu et al. 2024), as TRL's ld_alpha: log-probs of completion tokens beyond the "
                + "shorter completion of a pair count A times, policy and reference alike, for every loss type; in "
                + "[0, 1] (1: plain DPO, 0: the extra tokens dropped). The sft term (and rpo_alpha's) sums the "
                + "weighted log-probs too, where TRL's reads the logits unweighted.", defaultDoc = "off", label = "A",
                min = 0, max = 1)
        Double ldAlpha,
        LossOptions options) {

    /** TRL's defaults: {@code sigmoid} with {@link LossOptions#DEFAULTS}, no RPO. */
    public static final LossConfig DEFAULTS = OptionRecords.defaults(LossConfig.class);

    /** Checks the choice; the error lists every problem, each naming its option. */
    public LossConfig {
        lossWeights = lossWeights == null ? null : List.copyOf(lossWeights);
        OptionRecords.check(LossConfig.class, lossType, lossWeights, rpoAlpha, useWeighting, ldAlpha, options)
                .require(options != null, "the loss options are required")
                .require(!useWeighting || lossType == null || !Losses.sortsPairs(lossType),
                        "use_weighting is not implemented for loss_type aot or aot_unpaired (they sort the pairs, "
                        + "which would misalign the per-pair weights), got loss_type " + lossType)
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
