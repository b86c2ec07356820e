package dev.dpo4j.hub;

import dev.dpo4j.hub.internal.RepoUploads;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Pushes files to a Hugging Face Hub model repository, speaking the protocol of Python's {@code huggingface_hub}
 * ({@code create_repo}, {@code create_commit}, {@code upload_folder}).
 *
 * <pre>{@code
 * HubUploader hub = HubUploader.builder().options(HubOptions.fromEnvironment()).build();   // HF_TOKEN, HF_ENDPOINT
 * String repo = hub.createRepo("me/qwen-dpo", false);
 * hub.push(repo, UploadFile.folder(outputDir, p -> p.startsWith("checkpoint-")), "End of training", "");
 * }</pre>
 *
 * A push asks the Hub which files go through LFS (preupload), leaves out files the repository already has as they
 * are, uploads the large files' bytes through the LFS batch API (streamed from disk; an object the Hub already stores
 * is not sent again, so a push that died part-way resumes), then makes one commit. Requests are retried with
 * exponential backoff on I/O errors and HTTP 429/5xx. The token goes to the endpoint's own host only, never to the
 * storage URLs LFS hands out, and no message or log shows it. Thread-safe.
 */
public final class HubUploader {

    private final HubOptions options;
    private final RepoUploads uploads;

    private HubUploader(Builder b) {
        this.options = b.options;
        this.uploads = new RepoUploads(b.options, b.timeout, b.maxRetries, b.retryWait);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Settings of an uploader. */
    public static final class Builder {
        private HubOptions options;
        private int maxRetries = 5;
        private Duration retryWait = Duration.ofSeconds(1);
        private Duration timeout = Duration.ofMinutes(5);

        /** Where and with which token (default: {@link HubOptions#fromEnvironment()}). */
        public Builder options(HubOptions hubOptions) {
            this.options = Objects.requireNonNull(hubOptions);
            return this;
        }

        /** How often a request that failed for I/O, 429 or 5xx is tried again (default 5, as huggingface_hub). */
        public Builder maxRetries(int retries) {
            if (retries < 0) {
                throw new IllegalArgumentException("maxRetries must be >= 0, got " + retries);
            }
            this.maxRetries = retries;
            return this;
        }

        /** The first wait before a retry, doubled for each further one up to 8 s (default 1 s). */
        public Builder retryWait(Duration wait) {
            this.retryWait = Objects.requireNonNull(wait);
            return this;
        }

        /** How long an API request (not a file upload) may wait for its answer (default 5 minutes). */
        public Builder timeout(Duration requestTimeout) {
            this.timeout = Objects.requireNonNull(requestTimeout);
            return this;
        }

        public HubUploader build() {
            if (options == null) {
                options = HubOptions.fromEnvironment();
            }
            return new HubUploader(this);
        }
    }

    public HubOptions options() {
        return options;
    }

    /**
     * Creates the model repository, private or public (public: unless its organization makes new repositories
     * private); one that exists already is used as it is. Returns its id as the Hub names it: {@code repoId}, or
     * for a bare name the id in the namespace of the token's account.
     *
     * @throws HubException naming the repository: {@link HubException.Kind#UNAUTHORIZED} when the token is missing
     *     or may not write there
     */
    public String createRepo(String repoId, boolean privateRepo) {
        return uploads.createRepo(repoId, privateRepo);
    }

    /**
     * Commits {@code files} to the repository's {@code main} branch in one commit with this summary and
     * description; files the repository already has with the same content are left out (no commit when none is
     * left).
     *
     * @throws HubException naming the repository and the file concerned
     */
    public PushResult push(String repoId, List<UploadFile> files, String summary, String description) {
        return uploads.push(repoId, List.copyOf(files), summary, description);
    }
}
