package dev.dpo4j.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The values of one option, looked up by name under {@link Names#normalize}; an unknown name fails with
 * {@code "<option> must be a, b or c, got '<name>'"}, naming the option and its choices.
 *
 * @param <T> the type of the values
 */
public final class NamedChoices<T> {

    private final String option;
    private final List<String> names;
    private final Map<String, T> byKey;

    private NamedChoices(String option, List<String> names, Map<String, T> byKey) {
        this.option = option;
        this.names = List.copyOf(names);
        this.byKey = Map.copyOf(byKey);
    }

    /** The constants of {@code type}, each named by its lower-case name ({@code REVERSE_KL}: {@code reverse_kl}). */
    public static <E extends Enum<E>> NamedChoices<E> ofEnum(String option, Class<E> type) {
        Builder<E> builder = builder(option);
        Arrays.stream(type.getEnumConstants()).forEach(e -> builder.add(e.name().toLowerCase(Locale.ROOT), e));
        return builder.build();
    }

    /** An empty builder for the option named {@code option} (as errors should name it, e.g. {@code loss_type}). */
    public static <T> Builder<T> builder(String option) {
        return new Builder<>(option);
    }

    /**
     * The value {@code name} selects.
     *
     * @throws IllegalArgumentException naming the option and its choices when no choice has that name
     */
    public T get(String name) {
        return find(name).orElseThrow(() -> unknown(name));
    }

    /** The value {@code name} selects, or empty when no choice has that name (or it is null). */
    public Optional<T> find(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(byKey.get(Names.normalize(name)));
    }

    /** The choices' names in the order they were added, aliases left out. */
    public List<String> names() {
        return names;
    }

    /** The error for a name that is not among the choices. */
    public IllegalArgumentException unknown(String name) {
        return new IllegalArgumentException(option + " must be " + listed() + ", got '" + name + "'");
    }

    /** The names as a sentence lists them: {@code a, b or c}. */
    public String listed() {
        if (names.size() == 1) {
            return names.get(0);
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
    }

    /** Collects the choices of one option. */
    public static final class Builder<T> {

        private final String option;
        private final List<String> names = new ArrayList<>();
        private final Map<String, T> byKey = new HashMap<>();

        private Builder(String option) {
            this.option = option;
        }

        /**
         * Adds a choice under its name and any aliases (accepted, but not listed in errors).
         *
         * @throws IllegalArgumentException when a name normalizes like one added before
         */
        public Builder<T> add(String name, T value, String... aliases) {
            names.add(name);
            put(name, value);
            for (String alias : aliases) {
                put(alias, value);
            }
            return this;
        }

        private void put(String name, T value) {
            if (byKey.putIfAbsent(Names.normalize(name), value) != null) {
                throw new IllegalArgumentException(option + ": the name '" + name + "' is taken by another choice");
            }
        }

        /** The choices added so far. */
        public NamedChoices<T> build() {
            if (names.isEmpty()) {
                throw new IllegalArgumentException(option + " needs at least one choice");
            }
            return new NamedChoices<>(option, names, byKey);
        }
    }
}
