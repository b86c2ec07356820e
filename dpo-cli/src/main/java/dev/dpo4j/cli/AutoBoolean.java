package dev.dpo4j.cli;

import java.util.Locale;

/** Flags that take {@code true}, {@code false} or {@code auto} (null: the library decides). */
final class AutoBoolean {

    private AutoBoolean() {
    }

    /**
     * The value of {@code flag}: null when absent or {@code auto}.
     *
     * @throws UsageError naming the flag for any other word
     */
    static Boolean parse(String flag, String value) {
        if (value == null) {
            return null;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            case "auto" -> null;
            default -> throw new UsageError(flag + " must be true, false or auto, got '" + value + "'");
        };
    }
}
