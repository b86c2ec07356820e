package dev.dpo4j.hub;

/**
 * A model file (config.json, tokenizer files, weights) that cannot be read or does not describe a usable model; the
 * message names the file and the key at fault. {@code CheckpointException} is the kind for checkpoints.
 */
public class ModelFileException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message naming the file and the key at fault. */
    public ModelFileException(String message) {
        super(message);
    }

    /** Same, keeping the cause. */
    public ModelFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
