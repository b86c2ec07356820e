package dev.dpo4j.api.options;

import java.io.Serializable;

/**
 * A reference to an option as its record's accessor, {@code BatchOptions::perDeviceTrainBatchSize}: a typed
 * setter names the option it sets by it, so the name is written only where the option is declared.
 *
 * @param <R> the option record
 * @param <T> the option's type
 */
@FunctionalInterface
public interface OptionRef<R extends Record, T> extends Serializable {

    /** The option's value in {@code record}. */
    T get(R record);
}
