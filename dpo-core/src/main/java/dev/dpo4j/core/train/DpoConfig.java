package dev.dpo4j.core.train;

import dev.dpo4j.api.options.Option;
import dev.dpo4j.api.options.OptionRecords;
import dev.dpo4j.core.lora.LoraOptions;
import dev.dpo4j.core.loss.LossConfig;
import dev.dpo4j.hub.HubClient;
import java.nio.file.Path;
import java.util.Map;

/**
 * Every training option, named as in TRL's {@code DPOConfig} (camel-cased), grouped by concern: the loss, the
 * optimizer, batching, saving, the reference, compute, LoRA and reporting each are a record whose components declare
 * their options ({@link Option}: name, one-line doc, default, range) once; the options of no group are declared here.
 * Built and validated by {@link #builder()}, whose setters are flat, as TRL's keyword arguments; errors name the
 * option in TRL's snake_case, and {@link #byName()} lists every option under that name.
 *
 * @param loss the loss and its parameters
 * @param optimizer the learning rate, its schedule, AdamW and clipping
 * @param batching batch sizes, accumulation, lengths and padding
 * @param saving checkpoints and the saved model's dtype
 * @param reference how the reference model is used
 * @param compute bfloat16 and the kernels
 * @param lora LoRA adapters ({@code use_peft} and the {@code lora_*} options)
 * @param reporting where metrics are reported ({@code report_to}: metrics.jsonl, TensorBoard, both or neither)
 * @param push whether and where the trained model is pushed to the Hugging Face Hub ({@code push_to_hub},
 *     {@code hub_*})
 */
public record DpoConfig(
        @Option(doc = "Where the trained model, checkpoints, metrics.jsonl and training_curves.png go.", label = "DIR")
        Path outputDir,
        @Option(doc = "Write into a non-empty --output_dir.", value = "false")
        boolean overwriteOutputDir,
        LossConfig loss, OptimizerOptions optimizer, BatchOptions batching, SaveOptions saving,
        ReferenceOptions reference,
        @Option(doc = "Epochs over the training pairs.", value = "1", label = "N", min = 1)
        int numTrainEpochs,
        @Option(doc = "Stop after N optimizer steps; overrides --num_train_epochs when positive.", value = "-1",
                label = "N")
        long maxSteps,
        @Option(doc = "Evaluate every N steps; 0: only at the end.", value = "0", label = "N", min = 0)
        long evalSteps,
        @Option(doc = "Log averaged training metrics every N steps.", value = "10", label = "N", min = 1)
        long loggingSteps,
        @Option(doc = "Seed of the data order, the eval split, the embedded model's weights and Nectar's "
                + "best_vs_random draw.", value = "42",
                label = "N")
        long seed,
        @Option(doc = "float16 compute with float32 master weights and dynamic loss scaling (GPUs).", value = "false")
        boolean fp16,
        @Option(doc = "Recompute each decoder layer and the LM head, chunk by chunk, in backward: far less memory for "
                + "about a third more compute.", label = "true|false|auto", defaultDoc = "auto (a micro-batch "
                + "recomputes only as many layers as its activations need to fit in the free GPU memory)")
        Boolean gradientCheckpointing,
        ComputeOptions compute, LoraOptions lora,
        @Option(doc = "Continue an earlier run with the same data and seed: a checkpoint-N folder, or a folder "
                + "holding checkpoints (its newest complete one), or true / last for the --output_dir.",
                label = "DIR")
        Path resumeFromCheckpoint,
        ReportOptions reporting, PushOptions push) {

    /** Checks the options of no group; the error lists every problem, each naming its option. */
    public DpoConfig {
        OptionRecords.check(DpoConfig.class, outputDir, overwriteOutputDir, loss, optimizer, batching, saving,
                        reference, numTrainEpochs, maxSteps, evalSteps, loggingSteps, seed, fp16,
                        gradientCheckpointing, compute, lora, resumeFromCheckpoint, reporting, push)
                .require(outputDir != null, "output_dir is required")
                .require(loss != null && optimizer != null && batching != null && saving != null
                        && reference != null && compute != null && lora != null, "every option group is required")
                .require(!(fp16 && Boolean.TRUE.equals(compute == null ? null : compute.bf16())),
                        "fp16 and bf16 exclude each other: choose one")
                .require(!(lora != null && lora.usePeft() && reference != null && reference.syncRefModel()),
                        "sync_ref_model cannot be used with use_peft: the reference is the base model with the adapters "
                        + "switched off, not a model of its own to move (as in TRL)")
                .require(!(lora != null && lora.usePeft() && optimizer != null && optimizer.offloadOptimizer()),
                        "offload_optimizer is for full-parameter training; with use_peft the optimizer state is the "
                        + "adapters', a few MiB, which stays on the device")
                .require(reporting != null, "report_to is required (none for no reports)")
                .require(push == null || outputDir == null || !push.pushToHub()
                        || HubClient.isRepoId(push.repoId(outputDir)), "push_to_hub pushes to the output folder's "
                        + "name, but '" + (push == null || outputDir == null ? "" : push.repoId(outputDir))
                        + "' is no Hub model id: set hub_model_id (org/name)")
                .throwIfAny();
    }

    /** A builder with TRL's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Pairs per optimizer step on {@code devices} devices. */
    public int globalBatchSize(int devices) {
        return batching.globalBatchSize(devices);
    }

    /**
     * Every option by its snake_case name (TRL's), the groups flattened: {@code beta}, {@code learning_rate},
     * {@code per_device_train_batch_size}, ... For reports, and for the CLI's defaults.
     */
    public Map<String, Object> byName() {
        return OptionRecords.byName(this);
    }

    /** Builds a validated {@link DpoConfig}. */
    public static final class Builder extends ConfigBuilder<Builder> {
        private Builder() {
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** Validates every option and builds the config; the error names each bad option. */
        public DpoConfig build() {
            return buildConfig();
        }
    }
}
