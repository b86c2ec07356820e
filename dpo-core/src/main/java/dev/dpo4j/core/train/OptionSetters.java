package dev.dpo4j.core.train;

import dev.dpo4j.api.options.OptionDeclaration;
import dev.dpo4j.api.options.OptionRecords;
import dev.dpo4j.api.options.OptionRef;
import java.util.HashMap;
import java.util.Map;

/**
 * What the option setters of {@link ConfigBuilder} write into: each option's value by name, as given (typed, or as
 * text to be read as a command line would), until {@code build()} converts and checks them all against the records'
 * declarations; an option never set keeps its declared default.
 *
 * @param <B> the concrete builder
 */
public abstract class OptionSetters<B extends OptionSetters<B>> {

    private final Map<String, Object> values = new HashMap<>();

    /** This builder, typed. */
    protected abstract B self();

    /** Sets the option an accessor such as {@code BatchOptions::perDeviceTrainBatchSize} reads. */
    protected <R extends Record> B set(OptionRef<R, ?> option, Object value) {
        values.put(OptionRecords.of(option).name(), value);
        return self();
    }

    /**
     * Sets any option by its snake_case name (or an alias), to a value of its type or to its text as typed on a
     * command line ({@code "1e-6"}, {@code "cosine"}, {@code "q_proj,v_proj"}); the value is checked at build.
     *
     * @throws IllegalArgumentException when no option has that name
     */
    public B option(String name, Object value) {
        OptionDeclaration declaration = OptionRecords.find(DpoConfig.class, name)
                .orElseThrow(() -> new IllegalArgumentException("unknown option '" + name + "'"));
        values.put(declaration.name(), value);
        return self();
    }

    /** Sets every option of {@code byName} (snake_case names, as {@link DpoConfig#byName()} gives them). */
    B copy(Map<String, Object> byName) {
        values.putAll(byName);
        return self();
    }

    /** The value given for {@code option}, or its default. */
    Object value(OptionDeclaration option) {
        return values.containsKey(option.name()) ? values.get(option.name()) : option.defaultValue();
    }
}
