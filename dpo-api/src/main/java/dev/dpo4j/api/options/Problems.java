package dev.dpo4j.api.options;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Collects what is wrong with a set of options, each problem naming its option, so that one exception lists them
 * all. Option records check themselves in their constructors with it; a builder of several records gathers theirs.
 */
public final class Problems {

    private final List<String> problems = new ArrayList<>();

    /** Notes {@code problem} unless {@code ok}. */
    public Problems require(boolean ok, String problem) {
        if (!ok) {
            problems.add(problem);
        }
        return this;
    }

    /** Builds a value, noting the problems its constructor reports instead of throwing them; null if any. */
    public <T> T collect(Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return null;
        }
    }

    /** Throws an {@link IllegalArgumentException} listing every problem noted, after {@code prefix}, if any. */
    public void throwIfAny(String prefix) {
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(prefix + String.join("; ", problems));
        }
    }

    /** Throws an {@link IllegalArgumentException} listing every problem noted, if any. */
    public void throwIfAny() {
        throwIfAny("");
    }
}
