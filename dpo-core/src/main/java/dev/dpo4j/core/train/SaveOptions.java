package dev.dpo4j.core.train;

import dev.dpo4j.api.options.Option;
import dev.dpo4j.api.options.OptionRecords;
import dev.dpo4j.core.checkpoint.SaveDtype;

/**
 * When checkpoints are written and how the final model is saved, named as transformers' {@code TrainingArguments}.
 */
public record SaveOptions(
        @Option(doc = "Checkpoints: no, epoch or steps. The final model is always saved.", value = "no",
                label = "WHEN")
        SaveStrategy saveStrategy,
        @Option(doc = "Checkpoint every N steps with --save_strategy steps.", value = "500", label = "N")
        long saveSteps,
        @Option(doc = "Data type of the saved model's weights: auto (the starting model's, from its config.json), "
                + "float32, float16 or bfloat16. Checkpoints stay float32.", value = "auto", label = "TYPE")
        SaveDtype saveDtype,
        @Option(doc = "Keep only the newest N checkpoint-* folders, deleting older ones once a new one is complete; "
                + "0: keep all.", value = "0", label = "N")
        int saveTotalLimit) {

    /** transformers' defaults, and the starting model's dtype. */
    public static final SaveOptions DEFAULTS = OptionRecords.defaults(SaveOptions.class);

    /** Checks ranges; the error lists every problem, each naming its option. */
    public SaveOptions {
        OptionRecords.check(SaveOptions.class, saveStrategy, saveSteps, saveDtype, saveTotalLimit)
                .require(saveStrategy != SaveStrategy.STEPS || saveSteps >= 1,
                        "save_steps must be at least 1 with save_strategy steps, got " + saveSteps)
                .require(saveTotalLimit >= 0, "save_total_limit must not be negative (0: keep every checkpoint), got "
                        + saveTotalLimit)
                .throwIfAny();
    }
}
