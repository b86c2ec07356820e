package dev.dpo4j.cli;

/** A mistake on the command line or in a config file: reported as one line, exit code 2. */
public final class UsageError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final boolean unknownArgument;

    /** Creates it with the line to show. */
    public UsageError(String message) {
        this(message, false);
    }

    private UsageError(String message, boolean unknownArgument) {
        super(message);
        this.unknownArgument = unknownArgument;
    }

    /** An unknown option or unexpected argument on the command line itself: the report points at --help. */
    static UsageError unknownArgument(String message) {
        return new UsageError(message, true);
    }

    /** Whether it is an {@link #unknownArgument}. */
    boolean isUnknownArgument() {
        return unknownArgument;
    }
}
