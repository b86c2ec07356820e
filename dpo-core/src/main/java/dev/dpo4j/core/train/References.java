package dev.dpo4j.core.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.data.PairCollator;
import dev.dpo4j.core.data.PreparedData;
import dev.dpo4j.core.reference.LogpsCache;
import dev.dpo4j.core.reference.ReferenceLogps;
import dev.dpo4j.core.trained.TrainedModel;
import java.nio.file.Path;

/**
 * The primary device's references for the training and the evaluation pairs: one frozen model serving both
 * (stored in the compute type, so float16 halves it), or, with {@code precompute_ref_log_probs}, a table for each
 * set computed from it once ({@code precompute_ref_batch_size} pairs at a time), after which the model is freed; with
 * {@code ref_logps_cache_dir}, the pairs a cache of earlier runs holds are reused and only the others are scored.
 *
 * @param train reference log-probs of the training pairs
 * @param eval reference log-probs of the evaluation pairs ({@code train} itself when live; null without eval data)
 */
record References(ReferenceLogps train, ReferenceLogps eval) {

    /**
     * Builds the references from the reference folder, else from what is trained ({@link TrainedModel#ownReference}:
     * a frozen copy of the starting policy, or the LoRA base with its adapters off).
     */
    static References create(TrainedModel model, Path referenceFolder, DataType computeType, DpoConfig config,
            PreparedData train, PreparedData eval, PairCollator collator, NDManager manager) {
        ReferenceLogps live = referenceFolder != null
                ? ReferenceLogps.fromFolder(referenceFolder, model.policy(), computeType, manager)
                : model.ownReference(computeType, manager);
        if (!config.reference().precomputeRefLogProbs()) {
            return new References(live, eval == null ? null : live);
        }
        try (live) {
            ReferenceOptions options = config.reference();
            int trainBatch = options.precomputeBatchSize(config.batching(), true);
            int evalBatch = options.precomputeBatchSize(config.batching(), false);
            if (options.refLogpsCacheDir() == null) {
                return new References(ReferenceLogps.precompute(live, train, collator, trainBatch, manager),
                        eval == null ? null : ReferenceLogps.precompute(live, eval, collator, evalBatch, manager));
            }
            LogpsCache cache = LogpsCache.open(options.refLogpsCacheDir(), live, computeType, manager);
            References tables = new References(cache.precompute(live, train, collator, trainBatch, manager, "train"),
                    eval == null ? null : cache.precompute(live, eval, collator, evalBatch, manager, "eval"));
            cache.save(manager);
            return tables;
        }
    }
}
