package dev.dpo4j.cli;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The command's java.util.logging settings (slf4j's are in {@code simplelogger.properties}): the adapters' warning
 * about skipped rows is off because the start-up report prints the same summary on standard output.
 */
final class CliLogging {

    /** Held so that the configured logger is not garbage-collected with its level. */
    private static final Logger SKIPPED_ROWS = Logger.getLogger("dev.dpo4j.adapters.PreferenceDataset");

    private CliLogging() {
    }

    /** Applies the settings. */
    static void configure() {
        SKIPPED_ROWS.setLevel(Level.OFF);
    }
}
