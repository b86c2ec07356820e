package dev.dpo4j.core.train;

import dev.dpo4j.api.options.Problems;

/**
 * How the reference model is used, named and defaulted as TRL's {@code DPOConfig}.
 *
 * @param precomputeRefLogProbs compute reference log-probs once before training and free the reference model (false)
 * @param syncRefModel move the reference towards the policy during training (TR-DPO; false)
 * @param refModelMixupAlpha the policy's share in each reference update, {@code ref = a pi + (1 - a) ref} (0.6)
 * @param refModelSyncSteps steps between reference updates (512)
 */
public record ReferenceOptions(boolean precomputeRefLogProbs, boolean syncRefModel, double refModelMixupAlpha,
        long refModelSyncSteps) {

    /** TRL's defaults. */
    public static final ReferenceOptions DEFAULTS = new ReferenceOptions(false, false, 0.6, 512);

    /** Checks ranges; the error lists every problem, each naming its option. */
    public ReferenceOptions {
        new Problems()
                .require(refModelMixupAlpha >= 0 && refModelMixupAlpha <= 1,
                        "ref_model_mixup_alpha must be in [0, 1], got " + refModelMixupAlpha)
                .require(refModelSyncSteps >= 1, "ref_model_sync_steps must be at least 1, got " + refModelSyncSteps)
                .require(!(syncRefModel && precomputeRefLogProbs), "sync_ref_model moves the reference model, so it "
                        + "cannot be used with precompute_ref_log_probs")
                .throwIfAny();
    }
}
