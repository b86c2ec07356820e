package dev.dpo4j.api;

import java.util.Locale;

/**
 * The one spelling rule of every name lookup in dpo4j (loss types, divergences, schedules, save options, prompt
 * templates, dataset adapters): surrounding blanks, letter case, {@code -} and {@code _} do not matter, so
 * {@code sigmoid_norm}, {@code Sigmoid-Norm} and {@code sigmoidnorm} name the same choice.
 */
public final class Names {

    private Names() {
    }

    /** The lookup key of {@code name}: stripped, lower-case, without {@code -} and {@code _}. */
    public static String normalize(String name) {
        String lower = name.strip().toLowerCase(Locale.ROOT);
        StringBuilder key = new StringBuilder(lower.length());
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (c != '-' && c != '_') {
                key.append(c);
            }
        }
        return key.toString();
    }
}
