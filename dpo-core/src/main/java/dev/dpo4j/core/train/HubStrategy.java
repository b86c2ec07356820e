package dev.dpo4j.core.train;

import dev.dpo4j.api.NamedChoices;

/** When {@code push_to_hub} pushes, as transformers' {@code hub_strategy} (its {@code end} and {@code every_save}). */
public enum HubStrategy {
    /** Once, after the final model is saved. */
    END,
    /** After each checkpoint too (its model, in the background, skipped while an earlier push runs), and at the end. */
    EVERY_SAVE;

    /** Parses {@code end} or {@code every_save}; errors name the option. */
    public static HubStrategy parse(String name) {
        return NamedChoices.ofEnum("hub_strategy", HubStrategy.class).get(name);
    }
}
