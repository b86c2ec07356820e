package dev.dpo4j.core.train;

import dev.dpo4j.core.checkpoint.SaveDtype;
import dev.dpo4j.api.options.Problems;

/**
 * When checkpoints are written and how the final model is saved, named as transformers' {@code TrainingArguments}.
 *
 * @param saveStrategy when checkpoints are written (no)
 * @param saveSteps checkpoint interval with {@code steps} (500)
 * @param saveDtype the data type of the saved model's weights (auto: the starting model's); checkpoints stay
 *     float32
 * @param saveTotalLimit keep only the newest this many {@code checkpoint-N} folders, deleting older ones after each
 *     new one is written (0: keep all, as transformers' {@code None})
 */
public record SaveOptions(SaveStrategy saveStrategy, long saveSteps, SaveDtype saveDtype, int saveTotalLimit) {

    /** transformers' defaults, and the starting model's dtype. */
    public static final SaveOptions DEFAULTS = new SaveOptions(SaveStrategy.NO, 500, SaveDtype.AUTO, 0);

    /** Checks ranges; the error lists every problem, each naming its option. */
    public SaveOptions {
        new Problems()
                .require(saveStrategy != null, "save_strategy is required")
                .require(saveStrategy != SaveStrategy.STEPS || saveSteps >= 1,
                        "save_steps must be at least 1 with save_strategy steps, got " + saveSteps)
                .require(saveDtype != null, "save_dtype is required")
                .require(saveTotalLimit >= 0, "save_total_limit must not be negative (0: keep every checkpoint), got "
                        + saveTotalLimit)
                .throwIfAny();
    }
}
