package dev.dpo4j.hub;

/**
 * A Hub download, cache lookup or upload that failed. The message is one sentence that names the repository and
 * says what to do; {@link #kind()} tells the cases apart for code.
 */
public final class HubException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Kind {
        /** The repository does not exist, or is private and the token (if any) cannot see it. */
        REPO_NOT_FOUND,
        /** The repository is gated and no token, or a token without access, was sent. */
        GATED,
        /** The token was refused (invalid or without the needed permission). */
        UNAUTHORIZED,
        /** The branch, tag or commit does not exist in the repository. */
        REVISION_NOT_FOUND,
        /** A file the download needs is not in the repository (or a dataset has no such split). */
        ENTRY_NOT_FOUND,
        /** The Hub could not be reached and the cache does not have what was asked for. */
        NETWORK,
        /** Offline mode is on and the cache does not have what was asked for. */
        NOT_CACHED,
        /** A downloaded file did not match its size or checksum. */
        CHECKSUM,
        /** Any other HTTP or local I/O failure. */
        OTHER
    }

    private final Kind kind;
    private final String repoId;
    private final boolean cacheChecked;

    public HubException(Kind kind, String repoId, String message) {
        this(kind, repoId, message, null);
    }

    public HubException(Kind kind, String repoId, String message, Throwable cause) {
        this(kind, repoId, message, cause, false);
    }

    /** With {@code cacheChecked}: the local cache was looked in as well and lacks what was asked for. */
    public HubException(Kind kind, String repoId, String message, Throwable cause, boolean cacheChecked) {
        super(message, cause);
        this.kind = kind;
        this.repoId = repoId;
        this.cacheChecked = cacheChecked;
    }

    public Kind kind() {
        return kind;
    }

    /** The repository id concerned, or null. */
    public String repoId() {
        return repoId;
    }

    /** Whether the local cache was looked in as well (and lacks what was asked for): the message says so. */
    public boolean cacheChecked() {
        return cacheChecked;
    }
}
