package dev.dpo4j.core.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.checkpoint.ModelFolder;
import dev.dpo4j.core.data.PairCollator;
import dev.dpo4j.core.data.PreparedData;
import dev.dpo4j.core.internal.step.ReferenceLogps;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.Weights;
import java.nio.file.Path;

/**
 * The primary device's references for the training and the evaluation pairs: one frozen model serving both
 * (stored in the compute type, so float16 halves it), or, with {@code precompute_ref_log_probs}, a table for each
 * set computed from it once, after which the model is freed.
 *
 * @param train reference log-probs of the training pairs
 * @param eval reference log-probs of the evaluation pairs ({@code train} itself when live; null without eval data)
 */
record References(ReferenceLogps train, ReferenceLogps eval) {

    /**
     * Builds the references from the reference folder, else the policy itself with LoRA (its base with the adapters
     * off, or with the adapter training started from), else the starting policy's folder, else a copy of the policy
     * in memory.
     *
     * @param policyReference with LoRA, the reference's weights as part of the policy; null for full training
     */
    static References create(CausalLm policy, Weights policyReference, Path referenceFolder, Path policyFolder,
            DataType computeType, DpoConfig config, PreparedData train, PreparedData eval, PairCollator collator,
            NDManager manager) {
        ReferenceLogps live = referenceFolder == null && policyReference != null
                ? ReferenceLogps.adaptersOff(policy, policyReference, computeType)
                : ReferenceLogps.frozen(frozenModel(policy, referenceFolder != null ? referenceFolder : policyFolder,
                        computeType, manager), computeType);
        if (!config.reference().precomputeRefLogProbs()) {
            return new References(live, eval == null ? null : live);
        }
        try (live) {
            int batch = config.batching().perDeviceEvalBatchSize();
            return new References(ReferenceLogps.precompute(live, train, collator, batch, manager),
                    eval == null ? null : ReferenceLogps.precompute(live, eval, collator, batch, manager));
        }
    }

    /** The reference model in the compute type: loaded from {@code source}, or copied from the policy. */
    private static CausalLm frozenModel(CausalLm policy, Path source, DataType computeType, NDManager manager) {
        if (source == null) {
            return policy.frozenCopy(computeType);
        }
        CausalLm loaded = ModelFolder.load(source, manager).withKernels(policy.kernels());
        if (loaded.config().vocabSize() != policy.config().vocabSize()) {
            int vocab = loaded.config().vocabSize();
            loaded.close();
            throw new IllegalArgumentException("reference model " + source + " has vocab_size " + vocab
                    + " but the policy has " + policy.config().vocabSize() + "; the two must share a tokenizer");
        }
        if (computeType == DataType.FLOAT32) {
            return loaded;
        }
        try (loaded) {
            return loaded.frozenCopy(computeType);
        }
    }
}
