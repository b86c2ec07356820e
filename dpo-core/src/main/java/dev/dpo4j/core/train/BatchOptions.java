package dev.dpo4j.core.train;

import dev.dpo4j.api.options.Option;
import dev.dpo4j.api.options.OptionRecords;

/** How pairs are cut, padded and batched, named and defaulted as TRL's {@code DPOConfig}. */
public record BatchOptions(
        @Option(doc = "Pairs per device per training forward pass.", value = "8", label = "N", min = 1)
        int perDeviceTrainBatchSize,
        @Option(doc = "Pairs per device per evaluation forward pass.", value = "8", label = "N", min = 1)
        int perDeviceEvalBatchSize,
        @Option(doc = "Micro-batches per optimizer step (global batch = per_device_train_batch_size x this x "
                + "devices).", value = "1", label = "N", min = 1)
        int gradientAccumulationSteps,
        @Option(doc = "Drop pairs whose prompt plus longer completion exceed N tokens; 0: no limit.", value = "1024",
                label = "N", min = 0)
        int maxLength,
        @Option(doc = "Keep only the last N prompt tokens; 0: no limit.", value = "0", label = "N", min = 0)
        int maxPromptLength,
        @Option(doc = "Keep only the first N tokens of each completion (TRL now calls it max_completion_length); 0: "
                + "no limit.", value = "0", label = "N", min = 0, aliases = "max_completion_length")
        int maxTargetLength,
        @Option(doc = "Round padded batch lengths up to a multiple of N (8 suits GPUs).", value = "1", label = "N",
                min = 1)
        int padToMultipleOf,
        @Option(doc = "Batch pairs of similar length together to cut padding.", value = "false")
        boolean groupByLength,
        @Option(doc = "Run each pair's prompt once for both completions (one row behind a block mask, the same "
                + "log-probs); false: chosen and rejected as separate rows.", value = "true")
        boolean sharePrompt) {

    /** TRL's defaults, and a shared prompt. */
    public static final BatchOptions DEFAULTS = OptionRecords.defaults(BatchOptions.class);

    /** Checks ranges; the error lists every problem, each naming its option. */
    public BatchOptions {
        OptionRecords.check(BatchOptions.class, perDeviceTrainBatchSize, perDeviceEvalBatchSize,
                        gradientAccumulationSteps, maxLength, maxPromptLength, maxTargetLength, padToMultipleOf,
                        groupByLength, sharePrompt)
                .require(maxLength == 0 || maxPromptLength < maxLength,
                        "max_prompt_length (" + maxPromptLength + ") must be below max_length (" + maxLength + ")")
                .throwIfAny();
    }

    /** Pairs per optimizer step on {@code devices} devices. */
    public int globalBatchSize(int devices) {
        return perDeviceTrainBatchSize * gradientAccumulationSteps * devices;
    }
}
