package dev.dpo4j.core.distributed;

/** A collective or the rendezvous failed: a rank died, did not arrive in time, or the library refused the call. */
public class CollectivesException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** A failure described by {@code message}. */
    public CollectivesException(String message) {
        super(message);
    }

    /** A failure described by {@code message}, caused by {@code cause}. */
    public CollectivesException(String message, Throwable cause) {
        super(message, cause);
    }
}
