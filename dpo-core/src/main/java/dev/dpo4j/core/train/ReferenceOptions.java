package dev.dpo4j.core.train;

import dev.dpo4j.api.options.Option;
import dev.dpo4j.api.options.OptionRecords;

/** How the reference model is used, named and defaulted as TRL's {@code DPOConfig}. */
public record ReferenceOptions(
        @Option(doc = "Compute the reference log-probs once before training and free the reference model (less "
                + "memory).", value = "false")
        boolean precomputeRefLogProbs,
        @Option(doc = "TR-DPO: move the reference towards the policy every --ref_model_sync_steps steps, ref = a * "
                + "policy + (1 - a) * ref with a = --ref_model_mixup_alpha.", value = "false")
        boolean syncRefModel,
        @Option(doc = "The policy's share in each reference update.", value = "0.6", label = "A", min = 0, max = 1)
        double refModelMixupAlpha,
        @Option(doc = "Steps between reference updates.", value = "512", label = "N", min = 1)
        long refModelSyncSteps) {

    /** TRL's defaults. */
    public static final ReferenceOptions DEFAULTS = OptionRecords.defaults(ReferenceOptions.class);

    /** Checks ranges; the error lists every problem, each naming its option. */
    public ReferenceOptions {
        OptionRecords.check(ReferenceOptions.class, precomputeRefLogProbs, syncRefModel, refModelMixupAlpha,
                        refModelSyncSteps)
                .require(!(syncRefModel && precomputeRefLogProbs), "sync_ref_model moves the reference model, so it "
                        + "cannot be used with precompute_ref_log_probs")
                .throwIfAny();
    }
}
