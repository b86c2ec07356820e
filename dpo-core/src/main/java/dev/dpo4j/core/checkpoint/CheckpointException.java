package dev.dpo4j.core.checkpoint;

import dev.dpo4j.hub.ModelFileException;

/** A model folder, weight file or checkpoint that cannot be read or written; the message names the file. */
public class CheckpointException extends ModelFileException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message naming the file and the key at fault. */
    public CheckpointException(String message) {
        super(message);
    }

    /** Same, keeping the cause. */
    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
