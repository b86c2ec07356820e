package dev.dpo4j.core.checkpoint;

/** A folder another live run holds ({@link FolderLock}); the message names the holder (pid, host, since when). */
public final class FolderLockedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /** @param message names the folder and its holder */
    public FolderLockedException(String message) {
        super(message);
    }
}
