package dev.dpo4j.hub;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.dpo4j.hub.HubDataset.RepoFile;
import dev.dpo4j.hub.HubException.Kind;
import dev.dpo4j.hub.HubHttp.FileMetadata;
import dev.dpo4j.hub.HubHttp.Target;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 */
public final class HubClient {

    public static final String DEFAULT_REVISION = "main";
    /** The branch where the Hub keeps its Parquet conversion of a dataset. */
    public static final String PARQUET_REVISION = "refs/convert/parquet";
    /** Files of a model snapshot that are fetched when the repository has them. */
    public static final List<String> OPTIONAL_MODEL_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "generation_config.json", "chat_template.jinja");
    static final String CONFIG = "config.json";
    static final String SINGLE_WEIGHTS = "model.safetensors";
    static final String WEIGHTS_INDEX = "model.safetensors.index.json";

    private static final Logger LOG = LoggerFactory.getLogger(HubClient.class);
    private static final Pattern REPO_ID = Pattern.compile("^(?:[A-Za-z0-9][A-Za-z0-9._-]*/)?[A-Za-z0-9][A-Za-z0-9._-]*$");
    private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
    private static final int MAX_TREE_PAGES = 1000;
    private static final int BUFFER = 1 << 16;

    private final HubOptions options;
    private final HubCache cache;
    private final HubHttp http;
    private final DownloadListener listener;
    private final int maxRetries;

    private HubClient(Builder b) {
        this.options = b.options;
        this.cache = new HubCache(b.options.cacheDir());
        this.http = new HubHttp(b.options, b.timeout, b.readTimeout);
        this.listener = b.listener;
        this.maxRetries = b.maxRetries;
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
        return cache;
    }

    /** Whether the string has the form of a Hub repository id: {@code name} or {@code org/name}. */
    public static boolean isRepoId(String s) {
        return s != null && s.length() <= 200 && REPO_ID.matcher(s).matches() && !s.contains("--")
                && !s.contains("..") && !s.endsWith(".") && !s.endsWith(".git");
    }

    // ---------------------------------------------------------------- models

    /** {@link #snapshot(String, String)} at {@code main}. */
    public Path snapshot(String modelIdOrPath) {
        return snapshot(modelIdOrPath, null);
    }

    /**
     * The local folder of a model: the string itself when it is an existing path, else the cache snapshot of the
     * Hub model at the revision (branch, tag or commit; null for {@code main}) with {@code config.json}, the
     * safetensors weights ({@code model.safetensors}, or {@code model.safetensors.index.json} and every shard it
     * names) and the tokenizer files the repository has ({@link #OPTIONAL_MODEL_FILES}), downloading what is
     * missing.
     *
     * @throws HubException naming the repository and what to do
     */
    public Path snapshot(String modelIdOrPath, String revision) {
        Objects.requireNonNull(modelIdOrPath, "modelIdOrPath");
        Path local = Path.of(modelIdOrPath);
        if (Files.exists(local)) {
            return local;
        }
        String id = requireRepoId(modelIdOrPath, RepoType.MODEL);
        String rev = revision == null || revision.isBlank() ? DEFAULT_REVISION : revision.strip();
        if (options.offline()) {
            return cachedModel(id, rev, false).orElseThrow(() -> notCached(RepoType.MODEL, id, rev));
        }
        if (HubCache.COMMIT_HASH.matcher(rev).matches()) {
            Optional<Path> cached = cachedModel(id, rev, true);
            if (cached.isPresent()) {
                return cached.get();
            }
        }
        JsonObject info;
        try {
            info = revisionInfo(RepoType.MODEL, id, rev);
        } catch (HubException e) {
            return fallBackToCache(e, RepoType.MODEL, id, rev, () -> cachedModel(id, rev, false));
        }
        String commit = sha(info, RepoType.MODEL, id, rev);
        Set<String> siblings = siblings(info);
        cache.writeRef(RepoType.MODEL, id, rev, commit);
        if (!siblings.contains(CONFIG)) {
            throw new HubException(Kind.ENTRY_NOT_FOUND, id, id + " has no config.json at revision '" + rev
                    + "': it is not a transformers model repository (check the id, or use a local folder)");
        }
        download(RepoType.MODEL, id, commit, new RepoFile(CONFIG, null, -1));
        if (siblings.contains(WEIGHTS_INDEX)) {
            Path index = download(RepoType.MODEL, id, commit, new RepoFile(WEIGHTS_INDEX, null, -1));
            for (String shard : shards(index, id)) {
                if (!siblings.contains(shard)) {
                    throw new HubException(Kind.ENTRY_NOT_FOUND, id, id + " names the shard " + shard + " in "
                            + WEIGHTS_INDEX + " but the repository has no such file at revision '" + rev
                            + "': the repository is broken at that revision, try another one");
                }
                download(RepoType.MODEL, id, commit, new RepoFile(shard, null, -1));
            }
        } else if (siblings.contains(SINGLE_WEIGHTS)) {
            download(RepoType.MODEL, id, commit, new RepoFile(SINGLE_WEIGHTS, null, -1));
        } else {
            throw new HubException(Kind.ENTRY_NOT_FOUND, id, id + " has no safetensors weights (" + SINGLE_WEIGHTS
                    + " or " + WEIGHTS_INDEX + ") at revision '" + rev + "': dpo4j reads safetensors only; "
                    + "convert the checkpoint with transformers' save_pretrained(..., safe_serialization=True)");
        }
        for (String file : OPTIONAL_MODEL_FILES) {
            if (siblings.contains(file)) {
                download(RepoType.MODEL, id, commit, new RepoFile(file, null, -1));
            } else {
                cache.markMissing(RepoType.MODEL, id, commit, file);
            }
        }
        return cache.snapshotDir(RepoType.MODEL, id, commit);
    }

    /**
     * The cached snapshot of a model when it is complete: config.json and all weights; with {@code strict}, also
     * every optional file either present or marked missing in {@code .no_exist}.
     */
    Optional<Path> cachedModel(String id, String rev, boolean strict) {
        Optional<String> commit = cache.commitFor(RepoType.MODEL, id, rev);
        if (commit.isEmpty()) {
            return Optional.empty();
        }
        Path dir = cache.snapshotDir(RepoType.MODEL, id, commit.get());
        if (!Files.isRegularFile(dir.resolve(CONFIG))) {
            return Optional.empty();
        }
        if (Files.isRegularFile(dir.resolve(WEIGHTS_INDEX))) {
            try {
                for (String shard : shards(dir.resolve(WEIGHTS_INDEX), id)) {
                    if (!Files.isRegularFile(HubCache.resolveRepoPath(dir, shard))) {
                        return Optional.empty();
                    }
                }
            } catch (HubException e) {
                return Optional.empty();
            }
        } else if (!Files.isRegularFile(dir.resolve(SINGLE_WEIGHTS))) {
            return Optional.empty();
        }
        if (strict) {
            for (String file : OPTIONAL_MODEL_FILES) {
                if (!Files.isRegularFile(dir.resolve(file))
                        && !cache.isMarkedMissing(RepoType.MODEL, id, commit.get(), file)) {
                    return Optional.empty();
                }
            }
        }
        return Optional.of(dir);
    }

    private static List<String> shards(Path index, String id) {
        try (Reader reader = Files.newBufferedReader(index, StandardCharsets.UTF_8)) {
            JsonObject map = JsonParser.parseReader(reader).getAsJsonObject().getAsJsonObject("weight_map");
            Set<String> shards = new TreeSet<>();
            for (Map.Entry<String, JsonElement> e : map.entrySet()) {
                shards.add(e.getValue().getAsString());
            }
            for (String shard : shards) {
                HubCache.resolveRepoPath(index.getParent(), shard); // rejects '..' and absolute paths
            }
            return List.copyOf(shards);
        } catch (IOException | JsonParseException | IllegalStateException | IllegalArgumentException
                | NullPointerException | ClassCastException e) {
            throw new HubException(Kind.OTHER, id, id + "'s " + WEIGHTS_INDEX + " has no readable weight_map ("
                    + e.getMessage() + "): the repository is broken at that revision, try another one", e);
        }
    }

    // ---------------------------------------------------------------- datasets

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
        return dataset(datasetIdOrPath, revision).files(split == null ? "train" : split);
    }

    /** The listing of a Hub dataset at a revision (null: {@code main}), grouped into splits; downloads nothing. */
    public HubDataset dataset(String datasetId, String revision) {
        String id = requireRepoId(datasetId, RepoType.DATASET);
        String rev = revision == null || revision.isBlank() ? DEFAULT_REVISION : revision.strip();
        if (options.offline()) {
            return cachedDataset(id, rev).orElseThrow(() -> notCached(RepoType.DATASET, id, rev));
        }
        try {
            JsonObject info = revisionInfo(RepoType.DATASET, id, rev);
            String commit = sha(info, RepoType.DATASET, id, rev);
            Map<String, RepoFile> files = listFiles(id, rev, commit, info);
            Map<String, List<String>> splits = DatasetSplits.infer(files.keySet());
            cache.writeRef(RepoType.DATASET, id, rev, commit);
            if (!splits.isEmpty()) {
                return new HubDataset(this, id, rev, commit, HubDataset.group(splits, files), false);
            }
            JsonObject converted;
            try {
                converted = revisionInfo(RepoType.DATASET, id, PARQUET_REVISION);
            } catch (HubException e) {
                if (e.kind() != Kind.REVISION_NOT_FOUND) {
                    throw e;
                }
                throw new HubException(Kind.ENTRY_NOT_FOUND, id, "dataset " + id + " has no Parquet, JSON Lines or "
                        + "JSON data files at revision '" + rev + "' and no Parquet conversion (" + PARQUET_REVISION
                        + "): download its files by hand and pass the local paths", e);
            }
            String convertedCommit = sha(converted, RepoType.DATASET, id, PARQUET_REVISION);
            Map<String, RepoFile> convertedFiles = listFiles(id, PARQUET_REVISION, convertedCommit, converted);
            cache.writeRef(RepoType.DATASET, id, PARQUET_REVISION, convertedCommit);
            return new HubDataset(this, id, PARQUET_REVISION, convertedCommit,
                    HubDataset.group(DatasetSplits.inferConverted(convertedFiles.keySet()), convertedFiles), false);
        } catch (HubException e) {
            return fallBackToCache(e, RepoType.DATASET, id, rev, () -> cachedDataset(id, rev));
        }
    }

    Optional<HubDataset> cachedDataset(String id, String rev) {
        Optional<String> commit = cache.commitFor(RepoType.DATASET, id, rev);
        if (commit.isPresent()) {
            Map<String, List<String>> splits = DatasetSplits.infer(cache.snapshotFiles(RepoType.DATASET, id,
                    commit.get()));
            if (!splits.isEmpty()) {
                return Optional.of(new HubDataset(this, id, rev, commit.get(), HubDataset.group(splits, Map.of()),
                        true));
            }
        }
        Optional<String> converted = cache.commitFor(RepoType.DATASET, id, PARQUET_REVISION);
        if (converted.isPresent()) {
            Map<String, List<String>> splits = DatasetSplits.inferConverted(cache.snapshotFiles(RepoType.DATASET, id,
                    converted.get()));
            if (!splits.isEmpty()) {
                return Optional.of(new HubDataset(this, id, PARQUET_REVISION, converted.get(),
                        HubDataset.group(splits, Map.of()), true));
            }
        }
        return Optional.empty();
    }

    /** The files of a commit with their etags from the tree API (paged), or the revision's siblings without. */
    private Map<String, RepoFile> listFiles(String id, String rev, String commit, JsonObject info) {
        Map<String, RepoFile> files = new LinkedHashMap<>();
        Target target = new Target(RepoType.DATASET, id, rev, null);
        URI next = URI.create(options.endpoint() + "/api/datasets/" + id + "/tree/" + encode(commit, false)
                + "?recursive=true&expand=false");
        try {
            for (int page = 0; next != null && page < MAX_TREE_PAGES; page++) {
                HttpResponse<byte[]> response = http.getBytes(next, target);
                JsonArray entries = JsonParser.parseString(HubHttp.utf8(response.body())).getAsJsonArray();
                for (JsonElement element : entries) {
                    JsonObject entry = element.getAsJsonObject();
                    if (!"file".equals(string(entry, "type"))) {
                        continue;
                    }
                    String path = string(entry, "path");
                    JsonObject lfs = entry.has("lfs") && entry.get("lfs").isJsonObject()
                            ? entry.getAsJsonObject("lfs") : null;
                    String etag = lfs != null ? string(lfs, "oid") : string(entry, "oid");
                    long size = lfs != null && lfs.has("size") ? lfs.get("size").getAsLong()
                            : entry.has("size") ? entry.get("size").getAsLong() : -1;
                    if (path != null) {
                        files.put(path, new RepoFile(path, etag, size));
                    }
                }
                next = response.headers().firstValue("Link").map(NEXT_LINK::matcher).filter(Matcher::find)
                        .map(m -> URI.create(options.endpoint().toString()).resolve(m.group(1))).orElse(null);
            }
            return files;
        } catch (HubException e) {
            if (e.kind() == Kind.NETWORK) {
                throw e;
            }
            LOG.debug("tree listing of {} failed ({}); using the revision's file list", id, e.getMessage());
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
            LOG.debug("tree listing of {} unreadable ({}); using the revision's file list", id, e.getMessage());
        }
        files.clear();
        for (String path : siblings(info)) {
            files.put(path, new RepoFile(path, null, -1));
        }
        return files;
    }

    // ---------------------------------------------------------------- single files

    /**
     * One file of a repository at a revision, from the cache or downloaded into it ({@code hf_hub_download});
     * returns its snapshot path.
     */
    public Path download(RepoType type, String repoId, String revision, String path) {
        String id = requireRepoId(repoId, type);
        String rev = revision == null || revision.isBlank() ? DEFAULT_REVISION : revision.strip();
        Optional<String> commit = cache.commitFor(type, id, rev);
        if (commit.isPresent() && (options.offline() || HubCache.COMMIT_HASH.matcher(rev).matches())) {
            Path pointer = cache.pointer(type, id, commit.get(), path);
            if (Files.isRegularFile(pointer)) {
                return pointer;
            }
        }
        if (options.offline()) {
            throw notCached(type, id, rev);
        }
        FileMetadata meta;
        try {
            meta = http.head(resolveUrl(type, id, rev, path), new Target(type, id, rev, path));
        } catch (HubException e) {
            if (e.kind() == Kind.ENTRY_NOT_FOUND || e.kind() == Kind.REVISION_NOT_FOUND || commit.isEmpty()
                    || !Files.isRegularFile(cache.pointer(type, id, commit.get(), path))) {
                throw e.kind() == Kind.NETWORK ? notCachedAfter(e, type, id, rev) : e;
            }
            LOG.warn("{}; using the cached {}", e.getMessage(), path);
            return cache.pointer(type, id, commit.get(), path);
        }
        cache.writeRef(type, id, rev, meta.commit());
        return fetch(type, id, meta.commit(), path, meta);
    }

    /** A file at a known commit: the snapshot pointer if cached (no request), else HEAD (unless known) + GET. */
    Path download(RepoType type, String id, String commit, RepoFile file) {
        Path pointer = cache.pointer(type, id, commit, file.path());
        if (Files.isRegularFile(pointer)) {
            return pointer;
        }
        if (options.offline()) {
            throw new HubException(Kind.NOT_CACHED, id, "HF_HUB_OFFLINE is set and " + file.path() + " of "
                    + new Target(type, id, commit, null).what() + " (commit " + commit + ") is not in the cache at "
                    + cache.root() + ": download it once without HF_HUB_OFFLINE");
        }
        URI url = resolveUrl(type, id, commit, file.path());
        FileMetadata meta = file.etag() != null && file.size() >= 0
                ? new FileMetadata(commit, file.etag(), file.size(), url)
                : http.head(url, new Target(type, id, commit, file.path()));
        return fetch(type, id, commit, file.path(), meta);
    }

    private Path fetch(RepoType type, String id, String commit, String path, FileMetadata meta) {
        Path pointer = cache.pointer(type, id, commit, path);
        Path blob = cache.blob(type, id, meta.etag());
        cache.tagCacheDir();
        try (AutoCloseable lock = HubCache.lock(cache.lockFile(type, id, meta.etag()))) {
            if (!Files.isRegularFile(blob)) {
                fetchBlob(new Target(type, id, commit, path), meta, blob, cache.incomplete(type, id, meta.etag()));
            }
            if (!Files.isRegularFile(pointer)) {
                HubCache.link(blob, pointer);
            }
            return pointer;
        } catch (HubException e) {
            throw e;
        } catch (IOException e) {
            throw new HubException(Kind.OTHER, id, "cannot write " + path + " of " + id + " into the cache at "
                    + cache.root() + " (" + e + "): check its permissions and free space, or set HF_HUB_CACHE", e);
        } catch (Exception e) {
            throw new HubException(Kind.OTHER, id, "download of " + path + " of " + id + " failed: " + e, e);
        }
    }

    /** Downloads into {@code incomplete} (resuming it), verifies, and moves it to {@code blob}. */
    private void fetchBlob(Target target, FileMetadata meta, Path blob, Path incomplete) throws IOException {
        Files.createDirectories(blob.getParent());
        long size = meta.size();
        Checksum checksum = Checksum.forEtag(meta.etag(), size);
        long have = Files.exists(incomplete) ? Files.size(incomplete) : 0;
        if (size >= 0 && have > size) {
            have = 0;
        }
        byte[] buffer = new byte[BUFFER];
        int failures = 0;
        try (DownloadListener.Progress progress = listener.started(target.repoId(), target.path(), size, have)) {
            while (true) {
                if (checksum != null) {
                    rehash(checksum, incomplete, have, buffer);
                }
                if (size >= 0 && have == size && have > 0) {
                    break; // a complete .incomplete left by an interrupted move
                }
                Map<String, String> headers = new LinkedHashMap<>();
                headers.put("Accept-Encoding", "identity");
                if (have > 0) {
                    headers.put("Range", "bytes=" + have + "-");
                }
                try {
                    HttpResponse<InputStream> response = http.openStream(meta.location(), headers, target);
                    try (InputStream in = response.body()) {
                        int status = response.statusCode();
                        if (status == 416) {
                            have = 0; // our partial file does not fit the server's: start over
                            Files.deleteIfExists(incomplete);
                            if (++failures > maxRetries) {
                                throw new HubException(Kind.OTHER, target.repoId(), "the server refused to resume "
                                        + target.path() + " of " + target.what() + "; run again");
                            }
                            continue;
                        }
                        boolean resume = have > 0 && status == 206 && rangeStart(response) == have;
                        if (!resume) {
                            have = 0;
                            if (checksum != null) {
                                checksum.reset();
                            }
                        }
                        try (OutputStream out = Files.newOutputStream(incomplete, StandardOpenOption.CREATE,
                                StandardOpenOption.WRITE, resume ? StandardOpenOption.APPEND
                                        : StandardOpenOption.TRUNCATE_EXISTING)) {
                            int n;
                            while ((n = in.read(buffer)) > 0) {
                                out.write(buffer, 0, n);
                                if (checksum != null) {
                                    checksum.update(buffer, 0, n);
                                }
                                have += n;
                                progress.update(have);
                                if (size >= 0 && have > size) {
                                    break; // more than announced: the checks below reject it
                                }
                            }
                        }
                    }
                    break;
                } catch (IOException | HubException e) {
                    if (e instanceof HubException h && h.kind() != Kind.NETWORK) {
                        throw h;
                    }
                    have = Files.exists(incomplete) ? Files.size(incomplete) : 0;
                    if (++failures > maxRetries) {
                        throw new HubException(Kind.NETWORK, target.repoId(), "the download of " + target.path()
                                + " of " + target.what() + " broke off at " + have + (size >= 0 ? " of " + size : "")
                                + " bytes (" + reason(e) + "): run again to resume it from " + incomplete, e);
                    }
                    LOG.info("download of {} broke off at {} bytes ({}); resuming", target.path(), have, reason(e));
                    sleep(Math.min(2000, 200L * failures));
                }
            }
        }
        long actual = Files.size(incomplete);
        if (size >= 0 && actual != size) {
            Files.deleteIfExists(incomplete);
            throw new HubException(Kind.CHECKSUM, target.repoId(), target.path() + " of " + target.what()
                    + " arrived with " + actual + " bytes instead of " + size + ": the partial file was discarded; "
                    + "run again to download it afresh");
        }
        if (checksum == null && size < 0) {
            checksum = Checksum.forEtag(meta.etag(), actual);
            if (checksum != null) {
                rehash(checksum, incomplete, actual, buffer);
            }
        }
        if (checksum != null) {
            String digest = checksum.actual();
            if (!digest.equals(checksum.expected())) {
                Files.deleteIfExists(incomplete);
                throw new HubException(Kind.CHECKSUM, target.repoId(), target.path() + " of " + target.what()
                        + " arrived corrupted (" + checksum.kind() + " " + digest + ", the Hub says "
                        + checksum.expected() + "): it was discarded; run again, and check any proxy or HF_ENDPOINT "
                        + "mirror if it happens again");
            }
        } else {
            LOG.debug("etag {} of {} is not a checksum; only the size was verified", meta.etag(), target.path());
        }
        try {
            Files.move(incomplete, blob, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(incomplete, blob, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void rehash(Checksum checksum, Path file, long length, byte[] buffer) throws IOException {
        checksum.reset();
        if (length <= 0) {
            return;
        }
        try (InputStream in = Files.newInputStream(file)) {
            long left = length;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    break;
                }
                checksum.update(buffer, 0, n);
                left -= n;
            }
        }
    }

    private static long rangeStart(HttpResponse<?> response) {
        return response.headers().firstValue("Content-Range").map(v -> {
            Matcher m = Pattern.compile("bytes\\s+(\\d+)-").matcher(v);
            return m.find() ? Long.parseLong(m.group(1)) : -1L;
        }).orElse(-1L);
    }

    private static String reason(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException(Kind.OTHER, null, "interrupted", e);
        }
    }

    // ---------------------------------------------------------------- shared

    private JsonObject revisionInfo(RepoType type, String id, String rev) {
        URI uri = URI.create(options.endpoint() + "/api/" + type.plural() + "/" + id + "/revision/"
                + encode(rev, false));
        HttpResponse<byte[]> response = http.getBytes(uri, new Target(type, id, rev, null));
        try {
            return JsonParser.parseString(HubHttp.utf8(response.body())).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new HubException(Kind.OTHER, id, options.endpoint() + " answered the " + type.singular()
                    + " info of " + id + " with something that is not JSON: check HF_ENDPOINT and any proxy", e);
        }
    }

    private String sha(JsonObject info, RepoType type, String id, String rev) {
        String sha = string(info, "sha");
        if (sha == null || !HubCache.COMMIT_HASH.matcher(sha).matches()) {
            throw new HubException(Kind.OTHER, id, options.endpoint() + " gave no commit hash for "
                    + new Target(type, id, rev, null).what() + " at '" + rev + "': check HF_ENDPOINT");
        }
        return sha;
    }

    private static Set<String> siblings(JsonObject info) {
        Set<String> names = new LinkedHashSet<>();
        if (info.has("siblings") && info.get("siblings").isJsonArray()) {
            for (JsonElement e : info.getAsJsonArray("siblings")) {
                String name = e.isJsonObject() ? string(e.getAsJsonObject(), "rfilename") : null;
                if (name != null) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    private static String string(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || !e.isJsonPrimitive() ? null : e.getAsString();
    }

    private URI resolveUrl(RepoType type, String id, String rev, String path) {
        return URI.create(options.endpoint() + "/" + type.urlPrefix() + id + "/resolve/" + encode(rev, false) + "/"
                + encode(path, true));
    }

    /** Percent-encoding as Python's {@code quote}: unreserved characters kept, '/' kept only in paths. */
    static String encode(String s, boolean keepSlash) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~' || (keepSlash && c == '/')) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    private static String requireRepoId(String s, RepoType type) {
        if (!isRepoId(s)) {
            throw new HubException(Kind.REPO_NOT_FOUND, s, "'" + s + "' is neither an existing local path nor a "
                    + "Hub " + type.singular() + " id (org/name): check the path or the id");
        }
        return s;
    }

    private <T> T fallBackToCache(HubException e, RepoType type, String id, String rev,
            java.util.function.Supplier<Optional<T>> cached) {
        if (e.kind() == Kind.REVISION_NOT_FOUND || e.kind() == Kind.ENTRY_NOT_FOUND || e.kind() == Kind.CHECKSUM) {
            throw e;
        }
        Optional<T> found = cached.get();
        if (found.isPresent()) {
            LOG.warn("{}; using the cached copy of {} at '{}'", e.getMessage(), id, rev);
            return found.get();
        }
        throw e.kind() == Kind.NETWORK ? notCachedAfter(e, type, id, rev) : e;
    }

    private HubException notCached(RepoType type, String id, String rev) {
        return new HubException(Kind.NOT_CACHED, id, "HF_HUB_OFFLINE is set and " + new Target(type, id, rev, null)
                .what() + " (revision '" + rev + "') is not in the cache at " + cache.root() + ": download it once "
                + "without HF_HUB_OFFLINE, or point HF_HUB_CACHE at a cache that has it");
    }

    private HubException notCachedAfter(HubException e, RepoType type, String id, String rev) {
        if (e.getMessage().contains("is not in the cache")) {
            return e;
        }
        return new HubException(Kind.NETWORK, id, e.getMessage() + " and " + new Target(type, id, rev, null).what()
                + " (revision '" + rev + "') is not in the cache at " + cache.root() + ": check the network "
                + "connection and HF_ENDPOINT, or copy a Hugging Face cache that has it and set HF_HUB_OFFLINE=1",
                e.getCause() != null ? e.getCause() : e);
    }
}
