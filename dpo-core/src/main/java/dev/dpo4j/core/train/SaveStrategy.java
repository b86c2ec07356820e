package dev.dpo4j.core.train;

import dev.dpo4j.api.NamedChoices;

/** When checkpoints are written during training, as transformers' {@code save_strategy}. */
public enum SaveStrategy {
    /** Only the final model is saved. */
    NO,
    /** A checkpoint at the end of every epoch. */
    EPOCH,
    /** A checkpoint every {@code save_steps} optimizer steps. */
    STEPS;

    /** Parses {@code no}, {@code epoch} or {@code steps}; errors name the option. */
    public static SaveStrategy parse(String name) {
        return NamedChoices.ofEnum("save_strategy", SaveStrategy.class).get(name);
    }
}
