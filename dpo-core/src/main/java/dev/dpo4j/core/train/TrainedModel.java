package dev.dpo4j.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.checkpoint.AtomicFolder;
import dev.dpo4j.core.checkpoint.CheckpointException;
import dev.dpo4j.core.checkpoint.ModelFolder;
import dev.dpo4j.core.checkpoint.SaveDtype;
import dev.dpo4j.core.checkpoint.TrainerState;
import dev.dpo4j.core.checkpoint.TrainingCheckpoint;
import dev.dpo4j.core.kernels.InPlace;
import dev.dpo4j.core.internal.step.Workers;
import dev.dpo4j.core.kernels.Kernels;
import dev.dpo4j.core.lora.AdapterFolder;
import dev.dpo4j.core.lora.LoraAdapters;
import dev.dpo4j.core.lora.LoraOptions;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.Weights;
import dev.dpo4j.core.optim.AdamW;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a run trains: every weight of the policy (float32 masters), or LoRA adapters on the policy's frozen base,
 * which is then kept in the compute type only. It decides which weights the optimizer owns, what the reference is
 * when it is part of the policy (the base with the adapters off, or with the adapter training started from), and
 * how checkpoints and the final model are written and read back.
 */
final class TrainedModel implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrainedModel.class);

    private final CausalLm policy;
    private final boolean ownsPolicy;
    private final LoraAdapters adapters;
    private final LoraAdapters referenceAdapters;
    private final String baseName;
    private final LoraOptions options;
    private final double dropout;

    private TrainedModel(CausalLm policy, boolean ownsPolicy, LoraAdapters adapters, LoraAdapters referenceAdapters,
            String baseName, LoraOptions options, double dropout) {
        this.dropout = dropout;
        this.policy = policy;
        this.ownsPolicy = ownsPolicy;
        this.adapters = adapters;
        this.referenceAdapters = referenceAdapters;
        this.baseName = baseName;
        this.options = options;
    }

    /**
     * Loads the policy of {@code trainer}: in float32 for full training; for LoRA ({@code use_peft}, or an adapter
     * folder as the model) the base in {@code computeType} and the adapters, new or read from the folder, with a
     * frozen copy of a read adapter as the reference's when the reference is the policy's own. The base is the
     * caller's model itself when given in memory already in the compute type, else a copy in it.
     *
     * @param policyReference whether the loss needs a reference that no other model provides
     */
    static TrainedModel load(DpoTrainer trainer, DataType computeType, Kernels kernels, NDManager manager,
            boolean policyReference) {
        DpoConfig config = trainer.config();
        ModelSource source = trainer.policy();
        if (!config.lora().usePeft() && source.adapterFolder() == null) {
            return new TrainedModel(source.load(manager).withKernels(kernels), source.ownsModel(), null, null, null,
                    config.lora(), 0);
        }
        CausalLm given = source.ownsModel() ? null : source.load(manager).withKernels(kernels);
        CausalLm base = given == null
                ? ModelFolder.load(source.folder(), manager, computeType, kernels).stackedInPlace()
                : storedIn(given, computeType) ? given : given.frozenCopy(computeType);
        boolean owns = base != given;
        try {
            Path folder = source.adapterFolder();
            LoraAdapters adapters = folder == null
                    ? LoraAdapters.initialize(base.config(), config.lora(), manager, config.seed())
                    : LoraAdapters.load(folder, base.config(), manager);
            if (folder != null) {
                LOG.info("continuing the LoRA adapter in {} (r {}, lora_alpha {}, target_modules {}): its {} sets "
                        + "the adapter's options", folder, adapters.options().loraR(), adapters.options().loraAlpha(),
                        adapters.options().loraTargetModules(), AdapterFolder.CONFIG);
            }
            double dropout = config.lora().disableDropout() ? 0 : adapters.options().loraDropout();
            if (dropout > 0 && !Boolean.FALSE.equals(config.gradientCheckpointing())) {
                throw new IllegalArgumentException("lora_dropout " + dropout + " with disable_dropout false needs "
                        + "gradient_checkpointing false: a recomputed layer would draw other dropout masks than the "
                        + "forward pass used");
            }
            LoraAdapters reference = folder != null && policyReference
                    ? adapters.frozenCopyOn(manager.newSubManager(), computeType, kernels) : null;
            LOG.info("LoRA: {} adapted linear layers, {} trainable parameters on a frozen base of {}",
                    adapters.modules().size(), adapters.parameterCount(), base.parameterCount());
            return new TrainedModel(base, owns, adapters, reference, source.baseName(), config.lora(), dropout);
        } catch (RuntimeException e) {
            if (owns) {
                base.close();
            }
            throw e;
        }
    }

    /** Whether the model's weights are stored in {@code type} (DJL reports TorchScript's bfloat16 as UNKNOWN). */
    private static boolean storedIn(CausalLm model, DataType type) {
        DataType stored = model.parameters().values().iterator().next().getDataType();
        return stored == type || type == DataType.BFLOAT16 && stored == DataType.UNKNOWN;
    }

    /** The policy: its float32 masters, or the frozen base in the compute type that the adapters train on. */
    CausalLm policy() {
        return policy;
    }

    /** Whether LoRA adapters are trained rather than every weight. */
    boolean lora() {
        return adapters != null;
    }

    /** The weights the optimizer owns: the policy's, or the adapters'. */
    Map<String, NDArray> trained() {
        return adapters != null ? adapters.parameters() : policy.parameters();
    }

    /** What the workers train and refer to with LoRA; null for full training. */
    Workers.Adapters workerAdapters() {
        return adapters == null ? null : new Workers.Adapters(adapters, referenceAdapters, dropout);
    }

    /** The reference as part of the policy on the primary device: the base, or the base with the starting adapter. */
    Weights referenceView() {
        return referenceAdapters == null ? policy.weights() : referenceAdapters.over(policy.weights());
    }

    /** Writes the trained weights into a checkpoint's temporary folder: a model folder, or an adapter folder. */
    AtomicFolder.Writer checkpointFiles(Path tokenizerFiles) {
        return adapters == null
                ? tmp -> ModelFolder.writeFiles(policy, tmp, tokenizerFiles, SaveDtype.FLOAT32)
                : tmp -> writeAdapter(tmp, tokenizerFiles);
    }

    private void writeAdapter(Path tmp, Path tokenizerFiles) throws IOException {
        AdapterFolder.writeFiles(tmp, adapters, baseName);
        ModelFolder.copyTokenizerFiles(tokenizerFiles, tmp);
    }

    /** Restores a checkpoint's trained weights and moments; returns its state. */
    TrainerState restore(Path checkpoint, AdamW adamW, NDManager manager) {
        if (adapters == null) {
            return TrainingCheckpoint.restore(checkpoint, policy, adamW, manager);
        }
        TrainerState state = TrainerState.read(checkpoint);
        if (!AdapterFolder.isAdapter(checkpoint)) {
            throw new CheckpointException(checkpoint + ": holds no " + AdapterFolder.CONFIG + "; it was written by a "
                    + "run without use_peft, so it cannot resume LoRA training");
        }
        try (LoraAdapters saved = LoraAdapters.load(checkpoint, policy.config(), manager)) {
            if (!saved.modules().equals(adapters.modules()) || saved.options().loraR() != adapters.options().loraR()) {
                throw new CheckpointException(checkpoint + ": its adapter (r " + saved.options().loraR() + ", "
                        + saved.modules().size() + " layers) differs from this run's (r " + adapters.options().loraR()
                        + ", " + adapters.modules().size() + " layers); resume with the same LoRA options");
            }
            saved.parameters().forEach((name, weight) -> InPlace.assign(adapters.parameters().get(name), weight));
        }
        TrainingCheckpoint.restoreOptimizer(checkpoint, adamW, state, manager);
        return state;
    }

    /**
     * Saves the trained model into {@code folder}: a model folder in {@code dtype}, or the adapter folder (float32,
     * as PEFT keeps adapters) and, with {@code merge_adapters}, the merged model under {@code folder/merged} in
     * {@code dtype}. Merging adds into the base in place, so it is the run's last use of the base (a model given in
     * memory is merged into a copy).
     */
    void save(Path folder, Path tokenizerFiles, SaveDtype dtype) throws IOException {
        if (adapters == null) {
            ModelFolder.save(policy, folder, tokenizerFiles, dtype);
            return;
        }
        AtomicFolder.write(folder, tmp -> writeAdapter(tmp, tokenizerFiles));
        if (options.mergeAdapters()) {
            CausalLm merged = ownsPolicy ? policy : policy.frozenCopy(DataType.FLOAT32);
            try {
                adapters.mergeInto(merged);
                ModelFolder.save(merged, folder.resolve(LoraOptions.MERGED_FOLDER), tokenizerFiles, dtype);
            } finally {
                if (merged != policy) {
                    merged.close();
                }
            }
        }
    }

    /** Frees the adapters and, when the run owns it, the policy. */
    @Override
    public void close() {
        if (adapters != null) {
            adapters.close();
        }
        if (ownsPolicy) {
            policy.close();
        }
    }
}
