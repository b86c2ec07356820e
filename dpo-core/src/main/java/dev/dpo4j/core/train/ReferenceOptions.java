package dev.dpo4j.core.train;

import dev.dpo4j.api.options.Option;
import dev.dpo4j.api.options.OptionRecords;
import java.nio.file.Path;

/** How the reference model is used, named and defaulted as TRL's {@code DPOConfig}. */
public record ReferenceOptions(
        @Option(doc = "Compute the reference log-probs once before training and free the reference model (less "
                + "memory).", value = "false")
        boolean precomputeRefLogProbs,
        @Option(doc = "Pairs per forward pass of the precompute (it bounds that pass's memory, and may exceed the "
                + "training batch to speed it up); 0: per_device_train_batch_size for the training pairs, "
                + "per_device_eval_batch_size for the evaluation pairs.", value = "0", label = "N", min = 0)
        int precomputeRefBatchSize,
        @Option(doc = "A folder that keeps precomputed reference log-probs across runs, keyed by the reference's "
                + "weights, the compute dtype and each pair's token ids: a later run reuses the pairs that match "
                + "and scores only the rest (needs --precompute_ref_log_probs).", label = "DIR",
                defaultDoc = "none (no cache)")
        Path refLogpsCacheDir,
        @Option(doc = "TR-DPO: move the reference towards the policy every --ref_model_sync_steps steps, ref = a * "
                + "policy + (1 - a) * ref with a = --ref_model_mixup_alpha.", value = "false")
        boolean syncRefModel,
        @Option(doc = "The policy's share in each reference update.", value = "0.6", label = "A", min = 0, max = 1)
        double refModelMixupAlpha,
        @Option(doc = "Steps between reference updates.", value = "512", label = "N", min = 1)
        long refModelSyncSteps) {

    /** TRL's defaults, and no cache of reference log-probs. */
    public static final ReferenceOptions DEFAULTS = OptionRecords.defaults(ReferenceOptions.class);

    /** The precompute pass's batch for the training ({@code train}) or the evaluation pairs. */
    public int precomputeBatchSize(BatchOptions batching, boolean train) {
        if (precomputeRefBatchSize > 0) {
            return precomputeRefBatchSize;
        }
        return train ? batching.perDeviceTrainBatchSize() : batching.perDeviceEvalBatchSize();
    }

    /** Checks ranges; the error lists every problem, each naming its option. */
    public ReferenceOptions {
        OptionRecords.check(ReferenceOptions.class, precomputeRefLogProbs, precomputeRefBatchSize,
                        refLogpsCacheDir, syncRefModel, refModelMixupAlpha, refModelSyncSteps)
                .require(!(syncRefModel && precomputeRefLogProbs), "sync_ref_model moves the reference model, so it "
                        + "cannot be used with precompute_ref_log_probs")
                .require(refLogpsCacheDir == null || precomputeRefLogProbs, "ref_logps_cache_dir keeps precomputed "
                        + "reference log-probs, so it needs precompute_ref_log_probs")
                .throwIfAny();
    }
}
