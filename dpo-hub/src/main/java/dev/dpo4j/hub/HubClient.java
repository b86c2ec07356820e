package dev.dpo4j.hub;

import dev.dpo4j.hub.datasets.DatasetSplits;
import dev.dpo4j.hub.datasets.SplitNames;
import dev.dpo4j.hub.internal.DatasetResolver;
import dev.dpo4j.hub.internal.FileDownloads;
import dev.dpo4j.hub.internal.RepoIds;
import dev.dpo4j.hub.internal.SnapshotResolver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Downloads models and datasets from the Hugging Face Hub into the cache that Python's {@code huggingface_hub} uses
 * ({@link HubCache}), and finds them there without any request when they are already cached.
 *
 * <pre>{@code
 * HubClient hub = HubClient.fromEnvironment();          // HF_ENDPOINT, HF_HUB_CACHE, HF_TOKEN, HF_HUB_OFFLINE
 * Path model = hub.snapshot("Qwen/Qwen2.5-0.5B-Instruct");   // a local folder: config.json, *.safetensors, tokenizer
 * List<Path> train = hub.datasetFiles("HuggingFaceH4/ultrafeedback_binarized", "train_prefs");
 * }</pre>
 *
 * A string that names an existing local path is returned as is. Downloads are resumable
 * ({@code blobs/<etag>.incomplete} is continued with a Range request), verified (size, and the sha256 of LFS files
 * or the git-sha1 of regular files) before they are moved into {@code blobs/}, and locked against concurrent
 * downloads of the same file by other threads and processes ({@code .locks/<repo>/<etag>.lock}). Thread-safe.
 * This class is the facade; the work is done in {@code dev.dpo4j.hub.internal}.
 */
public final class HubClient {

    public static final String DEFAULT_REVISION = RepoIds.DEFAULT_REVISION;
    /** The branch where the Hub keeps its Parquet conversion of a dataset. */
    public static final String PARQUET_REVISION = DatasetResolver.PARQUET_REVISION;
    /** Files of a model snapshot that are fetched when the repository has them ({@link ModelFiles#HUB_OPTIONAL}). */
    public static final List<String> OPTIONAL_MODEL_FILES = ModelFiles.HUB_OPTIONAL;

    private final HubOptions options;
    private final FileDownloads downloads;
    private final SnapshotResolver snapshots;
    private final DatasetResolver datasets;

    private HubClient(Builder b) {
        this.options = b.options;
        this.downloads = new FileDownloads(b.options, b.timeout, b.readTimeout, b.listener, b.maxRetries);
        this.snapshots = new SnapshotResolver(downloads);
        this.datasets = new DatasetResolver(downloads);
    }

    /** A client configured from the environment ({@link HubOptions#fromEnvironment()}), with progress bars. */
    public static HubClient fromEnvironment() {
        return builder().options(HubOptions.fromEnvironment()).build();
    }

    /** A client with the given options and the default progress bar. */
    public static HubClient of(HubOptions options) {
        return builder().options(options).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Settings of a client. */
    public static final class Builder {
        private HubOptions options;
        private DownloadListener listener = DownloadListener.progressBar(DownloadListener.DEFAULT_THRESHOLD);
        private int maxRetries = 5;
        private Duration timeout = Duration.ofSeconds(10);
        private Duration readTimeout = Duration.ofSeconds(10);

        public Builder options(HubOptions hubOptions) {
            this.options = Objects.requireNonNull(hubOptions);
            return this;
        }

        /** Who hears about downloads; default a progress bar on stderr for files of 10 MiB and more. */
        public Builder listener(DownloadListener downloadListener) {
            this.listener = Objects.requireNonNull(downloadListener);
            return this;
        }

        /** How often a dropped download is resumed within one call before giving up (default 5). */
        public Builder maxRetries(int retries) {
            if (retries < 0) {
                throw new IllegalArgumentException("maxRetries must be >= 0, got " + retries);
            }
            this.maxRetries = retries;
            return this;
        }

        /** Connect timeout and time to the first response byte of each request (default 10 s, as Python). */
        public Builder timeout(Duration requestTimeout) {
            this.timeout = Objects.requireNonNull(requestTimeout);
            return this;
        }

        /** How long a download may go without receiving data before it is resumed (default 10 s, as Python). */
        public Builder readTimeout(Duration idleTimeout) {
            this.readTimeout = Objects.requireNonNull(idleTimeout);
            return this;
        }

        public HubClient build() {
            if (options == null) {
                options = HubOptions.fromEnvironment();
            }
            return new HubClient(this);
        }
    }

    public HubOptions options() {
        return options;
    }

    public HubCache cache() {
        return downloads.cache();
    }

    /** Whether the string has the form of a Hub repository id: {@code name} or {@code org/name}. */
    public static boolean isRepoId(String s) {
        return RepoIds.isRepoId(s);
    }

    /** {@link #snapshot(String, String)} at {@code main}. */
    public Path snapshot(String modelIdOrPath) {
        return snapshot(modelIdOrPath, null);
    }

    /**
     * The local folder of a model: the string itself when it is an existing path, else the cache snapshot of the
     * Hub model at the revision (branch, tag or commit; null for {@code main}) with {@code config.json}, the
     * safetensors weights ({@code model.safetensors}, or {@code model.safetensors.index.json} and every shard it
     * names) and the tokenizer files the repository has ({@link #OPTIONAL_MODEL_FILES}), downloading what is
     * missing. For a PEFT adapter repository (an {@code adapter_config.json} and no {@code config.json}) the
     * snapshot holds {@code adapter_config.json}, {@code adapter_model.safetensors} and those tokenizer files; its
     * {@code base_model_name_or_path} is for the caller to resolve.
     *
     * @throws HubException naming the repository and what to do
     */
    public Path snapshot(String modelIdOrPath, String revision) {
        Objects.requireNonNull(modelIdOrPath, "modelIdOrPath");
        Path local = Path.of(modelIdOrPath);
        return Files.exists(local) ? local : snapshots.snapshot(modelIdOrPath, revision);
    }

    /** {@link #datasetFiles(String, String, String)} at {@code main}. */
    public List<Path> datasetFiles(String datasetIdOrPath, String split) {
        return datasetFiles(datasetIdOrPath, split, null);
    }

    /**
     * The local files of a dataset split: the path itself when it exists, else the split's Parquet, JSON Lines or
     * JSON files of the Hub dataset at the revision (null: {@code main}), downloaded into the cache when missing.
     * Splits follow the {@code datasets} library's file naming ({@link DatasetSplits}); a dataset without such files
     * is read from the Hub's Parquet conversion ({@code refs/convert/parquet}).
     */
    public List<Path> datasetFiles(String datasetIdOrPath, String split, String revision) {
        Path local = Path.of(datasetIdOrPath);
        if (Files.exists(local)) {
            return List.of(local);
        }
        return dataset(datasetIdOrPath, revision).files(split == null ? SplitNames.DEFAULT_SPLIT : split);
    }

    /** The listing of a Hub dataset at a revision (null: {@code main}), grouped into splits; downloads nothing. */
    public HubDataset dataset(String datasetId, String revision) {
        return new HubDataset(downloads, datasets.listing(datasetId, revision));
    }

    /**
     * One file of a repository at a revision, from the cache or downloaded into it ({@code hf_hub_download});
     * returns its snapshot path.
     */
    public Path download(RepoType type, String repoId, String revision, String path) {
        return downloads.download(type, repoId, revision, path);
    }
}
