package dev.dpo4j.core.reference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.checkpoint.ModelFolder;
import dev.dpo4j.core.data.PairBatch;
import dev.dpo4j.core.data.PairCollator;
import dev.dpo4j.core.data.PreparedData;
import dev.dpo4j.core.kernels.Autograd;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.DeviceArrays;
import dev.dpo4j.core.model.Weights;
import dev.dpo4j.core.scoring.CompletionScorer;
import java.nio.file.Path;
import java.util.Map;

/** Where reference log-probs come from: a frozen model scored on the fly, or a table computed once. */
public interface ReferenceLogps extends AutoCloseable {

    /**
     * Reference log-probs of the batch's sequences, shape {@code (2 * pairs)}, chosen first; never part of a graph.
     *
     * @param pairIndices the batch's pairs as indices into the training set
     */
    NDArray logps(int[] pairIndices, PairBatch.Arrays arrays, NDManager manager);

    /**
     * Moves a frozen reference towards the policy, {@code ref = alpha * policy + (1 - alpha) * ref} (TR-DPO's soft
     * update, TRL's {@code sync_ref_model}); a table cannot move.
     */
    default void syncTowards(Map<String, NDArray> policy, double alpha) {
        throw new UnsupportedOperationException("precomputed reference log-probs cannot follow the policy");
    }

    /**
     * What the values depend on besides the pairs (the weights as scored, the config), for keying a cache; a table
     * has none.
     */
    default ReferenceContent content() {
        throw new UnsupportedOperationException("precomputed reference log-probs have no weights to key a cache by");
    }

    /** The reference model's weights, for checkpoints (empty for a table). */
    default Map<String, NDArray> weights() {
        return Map.of();
    }

    /**
     * This reference for a data-parallel worker on the device of {@code manager}: a table serves every device, a
     * frozen model is copied there (the copy is freed when the returned reference is closed), a reference that is part
     * of the policy is read through that worker's {@code referenceView} ({@code DeviceWeights.referenceView()}).
     */
    ReferenceLogps on(NDManager manager, Weights referenceView);

    @Override
    void close();

    /**
     * The model in {@code source} as a frozen reference in {@code computeType}, computing with {@code policy}'s
     * kernels: a reference model of its own ({@code ref_model_name_or_path}), or the starting policy's folder.
     *
     * @throws IllegalArgumentException when its vocabulary differs from the policy's
     */
    static ReferenceLogps fromFolder(Path source, CausalLm policy, DataType computeType, NDManager manager) {
        CausalLm loaded = ModelFolder.load(source, manager).withKernels(policy.kernels());
        if (loaded.config().vocabSize() != policy.config().vocabSize()) {
            int vocab = loaded.config().vocabSize();
            loaded.close();
            throw new IllegalArgumentException("reference model " + source + " has vocab_size " + vocab
                    + " but the policy has " + policy.config().vocabSize() + "; the two must share a tokenizer");
        }
        if (computeType == DataType.FLOAT32) {
            return frozen(loaded, computeType);
        }
        try (loaded) {
            return frozen(loaded.frozenCopy(computeType), computeType);
        }
    }

    /**
     * A frozen copy of {@code policy} as it is now, stored and run in {@code computeType} on the device of
     * {@code manager} (where the policy's masters may not be: in host memory with {@code offload_optimizer}).
     */
    static ReferenceLogps copyOf(CausalLm policy, DataType computeType, NDManager manager) {
        return frozen(policy.frozenCopyOn(manager.newSubManager(), computeType), computeType);
    }

    /** A frozen copy of the starting policy, run in {@code computeType} without building a graph. */
    static ReferenceLogps frozen(CausalLm model, DataType computeType) {
        return new ReferenceLogps() {
            @Override
            public NDArray logps(int[] pairIndices, PairBatch.Arrays arrays, NDManager manager) {
                return CompletionScorer.logps(model, arrays, model.weights(), computeType).stopGradient();
            }

            @Override
            public ReferenceLogps on(NDManager manager, Weights referenceView) {
                return frozen(model.frozenCopyOn(manager.newSubManager(), computeType), computeType);
            }

            @Override
            public void syncTowards(Map<String, NDArray> policy, double alpha) {
                model.parameters().forEach((name, weight) -> {
                    try (NDManager scratch = weight.getManager().newSubManager(); Autograd paused = Autograd.pause()) {
                        weight.tempAttach(scratch);
                        NDArray target = DeviceArrays.copy(policy.get(name), weight.getDataType(),
                                weight.getDevice());
                        target.attach(scratch);
                        weight.muli(1 - alpha).addi(target.muli(alpha));
                    }
                });
            }

            @Override
            public Map<String, NDArray> weights() {
                return model.parameters();
            }

            @Override
            public ReferenceContent content() {
                return new ReferenceContent(model.config().json().toString(), model.parameters());
            }

            @Override
            public void close() {
                model.close();
            }
        };
    }

    /**
     * A reference that is part of the policy, {@code model} read through {@code view} in {@code computeType} (a LoRA
     * base with the adapters off, or with the adapter training started from): no weights of its own, so closing it
     * frees nothing, and each worker reads its own reference view.
     */
    static ReferenceLogps partOfPolicy(CausalLm model, Weights view, DataType computeType) {
        return partOfPolicy(model, view, computeType,
                new ReferenceContent(model.config().json().toString(), model.parameters()));
    }

    /** As {@link #partOfPolicy(CausalLm, Weights, DataType)}, with {@code view} reading {@code content}. */
    static ReferenceLogps partOfPolicy(CausalLm model, Weights view, DataType computeType, ReferenceContent content) {
        return new ReferenceLogps() {
            @Override
            public NDArray logps(int[] pairIndices, PairBatch.Arrays arrays, NDManager manager) {
                return CompletionScorer.logps(model, arrays, view, computeType).stopGradient();
            }

            @Override
            public ReferenceLogps on(NDManager manager, Weights referenceView) {
                return partOfPolicy(model, referenceView, computeType, content);
            }

            @Override
            public ReferenceContent content() {
                return content;
            }

            @Override
            public void close() {
            }
        };
    }

    /** Scores every pair of {@code data} once with {@code live}, in dataset order, into a table. */
    static ReferenceLogps precompute(ReferenceLogps live, PreparedData data, PairCollator collator, int batchSize,
            NDManager parent) {
        float[][] logps = Scoring.score(live, data.pairs(), collator, batchSize, parent);
        return table(logps[0], logps[1]);
    }

    /** Log-probs computed once for every training pair ({@code chosen[i]}, {@code rejected[i]}). */
    static ReferenceLogps table(float[] chosen, float[] rejected) {
        return new ReferenceLogps() {
            @Override
            public NDArray logps(int[] pairIndices, PairBatch.Arrays arrays, NDManager manager) {
                float[] values = new float[2 * pairIndices.length];
                for (int i = 0; i < pairIndices.length; i++) {
                    values[i] = chosen[pairIndices[i]];
                    values[pairIndices.length + i] = rejected[pairIndices[i]];
                }
                return manager.create(values);
            }

            @Override
            public ReferenceLogps on(NDManager manager, Weights referenceView) {
                return this;
            }

            @Override
            public void close() {
            }
        };
    }
}
