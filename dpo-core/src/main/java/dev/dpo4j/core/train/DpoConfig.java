package dev.dpo4j.core.train;

import dev.dpo4j.api.options.Problems;
import dev.dpo4j.core.lora.LoraOptions;
import dev.dpo4j.core.loss.LossConfig;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Every training option, named as in TRL's {@code DPOConfig} (camel-cased), grouped by concern: the loss, the
 * optimizer, batching, saving and the reference each are a record that declares its options, defaults and checks
 * once. Built and validated by {@link #builder()}, whose setters are flat, as TRL's keyword arguments; errors name
 * the option in TRL's snake_case, and {@link #byName()} lists every option under that name.
 *
 * @param outputDir where the trained model, checkpoints and {@code metrics.jsonl} go
 * @param overwriteOutputDir whether a non-empty {@code outputDir} may be written into
 * @param loss the loss and its parameters
 * @param optimizer the learning rate, its schedule, AdamW and clipping
 * @param batching batch sizes, accumulation, lengths and padding
 * @param saving checkpoints and the saved model's dtype
 * @param reference how the reference model is used
 * @param numTrainEpochs epochs over the training set (default 1)
 * @param maxSteps stop after this many optimizer steps; 0 or less: run all epochs (default -1)
 * @param evalSteps evaluate every this many steps; 0: only at the end (default 0)
 * @param loggingSteps log averaged metrics every this many steps (default 10)
 * @param seed seeds initialization and data order (default 42)
 * @param fp16 float16 compute with float32 master weights and dynamic loss scaling (default false: float32)
 * @param gradientCheckpointing keep only each decoder layer's input during the forward pass and recompute the layer
 *     in backward, and the LM head chunk by chunk, trading about a third more compute for far less memory; null
 *     (the default, {@code auto}): a micro-batch recomputes only as many layers, from the first, as its activations
 *     need to fit in the free GPU memory (none when they fit)
 * @param compute bfloat16 and the kernels
 * @param lora LoRA adapters ({@code use_peft} and the {@code lora_*} options)
 * @param resumeFromCheckpoint a checkpoint folder to resume from, or a folder holding {@code checkpoint-N} folders
 *     (the output folder) whose newest complete one is taken when training starts; null: start fresh
 * @param reporting where metrics are reported ({@code report_to}: metrics.jsonl, TensorBoard, both or neither)
 */
public record DpoConfig(Path outputDir, boolean overwriteOutputDir, LossConfig loss, OptimizerOptions optimizer,
        BatchOptions batching, SaveOptions saving, ReferenceOptions reference, int numTrainEpochs, long maxSteps,
        long evalSteps, long loggingSteps, long seed, boolean fp16, Boolean gradientCheckpointing,
        ComputeOptions compute, LoraOptions lora, Path resumeFromCheckpoint, ReportOptions reporting) {

    /** Checks the options of no group; the error lists every problem, each naming its option. */
    public DpoConfig {
        new Problems()
                .require(outputDir != null, "output_dir is required")
                .require(loss != null && optimizer != null && batching != null && saving != null
                        && reference != null && compute != null && lora != null, "every option group is required")
                .require(!(fp16 && Boolean.TRUE.equals(compute == null ? null : compute.bf16())),
                        "fp16 and bf16 exclude each other: choose one")
                .require(!(lora != null && lora.usePeft() && reference != null && reference.syncRefModel()),
                        "sync_ref_model cannot be used with use_peft: the reference is the base model with the adapters "
                        + "switched off, not a model of its own to move (as in TRL)")
                .require(numTrainEpochs >= 1, "num_train_epochs must be at least 1, got " + numTrainEpochs)
                .require(evalSteps >= 0, "eval_steps must not be negative, got " + evalSteps)
                .require(loggingSteps >= 1, "logging_steps must be at least 1, got " + loggingSteps)
                .require(reporting != null, "report_to is required (none for no reports)")
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
        Map<String, Object> values = new LinkedHashMap<>();
        flatten(this, values);
        return values;
    }

    private static void flatten(Record record, Map<String, Object> into) {
        for (RecordComponent component : record.getClass().getRecordComponents()) {
            Object value;
            try {
                value = component.getAccessor().invoke(record);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("cannot read option " + component.getName(), e);
            }
            if (value instanceof Record nested) {
                flatten(nested, into);
            } else {
                into.put(snakeCase(component.getName()), value);
            }
        }
    }

    /** {@code perDeviceTrainBatchSize} to {@code per_device_train_batch_size}. */
    static String snakeCase(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
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
