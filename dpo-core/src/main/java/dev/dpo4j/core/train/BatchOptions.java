package dev.dpo4j.core.train;

import dev.dpo4j.api.options.Problems;

/**
 * How pairs are cut, padded and batched, named and defaulted as TRL's {@code DPOConfig}.
 *
 * @param perDeviceTrainBatchSize pairs per device per training forward pass (8)
 * @param perDeviceEvalBatchSize pairs per device per evaluation forward pass (8)
 * @param gradientAccumulationSteps micro-batches per device per optimizer step (1)
 * @param maxLength pairs whose prompt plus longer completion exceed this many tokens are dropped; 0: no limit (1024)
 * @param maxPromptLength prompts are truncated from the left to this many tokens; 0: no limit (0)
 * @param maxTargetLength completions are truncated from the right to this many tokens; 0: no limit (0)
 * @param padToMultipleOf padded batch length is rounded up to a multiple of this (1)
 * @param groupByLength batch pairs of similar length together, in shuffled groups, to cut padding (false)
 * @param sharePrompt run each pair's prompt once, in one row {@code [prompt; chosen; rejected]} whose completions
 *     both attend to it through a block mask, instead of a chosen row and a rejected row; the log-probs are the same
 *     (true; not in TRL)
 */
public record BatchOptions(int perDeviceTrainBatchSize, int perDeviceEvalBatchSize, int gradientAccumulationSteps,
        int maxLength, int maxPromptLength, int maxTargetLength, int padToMultipleOf, boolean groupByLength,
        boolean sharePrompt) {

    /** TRL's defaults, and a shared prompt. */
    public static final BatchOptions DEFAULTS = new BatchOptions(8, 8, 1, 1024, 0, 0, 1, false, true);

    /** Checks ranges; the error lists every problem, each naming its option. */
    public BatchOptions {
        new Problems()
                .require(perDeviceTrainBatchSize >= 1,
                        "per_device_train_batch_size must be at least 1, got " + perDeviceTrainBatchSize)
                .require(perDeviceEvalBatchSize >= 1,
                        "per_device_eval_batch_size must be at least 1, got " + perDeviceEvalBatchSize)
                .require(gradientAccumulationSteps >= 1,
                        "gradient_accumulation_steps must be at least 1, got " + gradientAccumulationSteps)
                .require(maxLength >= 0, "max_length must not be negative, got " + maxLength)
                .require(maxPromptLength >= 0, "max_prompt_length must not be negative, got " + maxPromptLength)
                .require(maxTargetLength >= 0, "max_target_length must not be negative, got " + maxTargetLength)
                .require(maxLength == 0 || maxPromptLength < maxLength,
                        "max_prompt_length (" + maxPromptLength + ") must be below max_length (" + maxLength + ")")
                .require(padToMultipleOf >= 1, "pad_to_multiple_of must be at least 1, got " + padToMultipleOf)
                .throwIfAny();
    }

    /** Pairs per optimizer step on {@code devices} devices. */
    public int globalBatchSize(int devices) {
        return perDeviceTrainBatchSize * gradientAccumulationSteps * devices;
    }
}
