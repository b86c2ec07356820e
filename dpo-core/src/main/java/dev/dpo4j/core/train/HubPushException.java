package dev.dpo4j.core.train;

import java.nio.file.Path;

/**
 * The final push of {@code push_to_hub} failed; the trained model is saved in {@link #outputDir()} all the same. The
 * cause (a {@link dev.dpo4j.hub.HubException} as a rule) says what went wrong; the message names the folder, the
 * repository and the cause, never the token.
 */
public final class HubPushException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Path outputDir;
    private final String repoId;

    public HubPushException(Path outputDir, String repoId, RuntimeException cause) {
        super("the trained model is saved in " + outputDir + ", but pushing it to " + repoId + " failed: "
                + cause.getMessage(), cause);
        this.outputDir = outputDir;
        this.repoId = repoId;
    }

    /** Where the trained model is saved. */
    public Path outputDir() {
        return outputDir;
    }

    /** The repository the push was for. */
    public String repoId() {
        return repoId;
    }
}
