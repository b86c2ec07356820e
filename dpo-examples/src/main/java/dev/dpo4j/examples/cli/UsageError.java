package dev.dpo4j.examples.cli;

/** A mistake on the command line or in a config file: reported as one line, exit code 2. */
public final class UsageError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Creates it with the line to show. */
    public UsageError(String message) {
        super(message);
    }
}
