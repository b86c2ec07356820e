package dev.dpo4j.hub.internal;

import dev.dpo4j.hub.DownloadListener;
import dev.dpo4j.hub.HubCache;
import dev.dpo4j.hub.HubException;
import dev.dpo4j.hub.HubException.Kind;
import dev.dpo4j.hub.HubOptions;
import dev.dpo4j.hub.RepoType;
import dev.dpo4j.hub.internal.HubHttp.FileMetadata;
import dev.dpo4j.hub.internal.HubHttp.Target;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Single repository files into the cache ({@code hf_hub_download}): the snapshot pointer when it is there, else a
 * HEAD for the etag and size (unless a listing gave them), the blob fetched under its lock ({@link FileTransfer})
 * and linked into the snapshot. Holds the parts the resolvers share: options, cache, Hub API, fallback.
 */
public final class FileDownloads {

    private static final Logger LOG = LoggerFactory.getLogger(FileDownloads.class);

    private final HubOptions options;
    private final HubCache cache;
    private final HubApi api;
    private final FileTransfer transfer;
    private final CacheFallback fallback;

    /**
     * Downloads with the options into their cache.
     *
     * @param timeout connect timeout and time to the first response byte of each request
     * @param readTimeout how long a download may go without data before it is resumed
     * @param maxRetries how often a dropped download is resumed within one call
     */
    public FileDownloads(HubOptions options, Duration timeout, Duration readTimeout, DownloadListener listener,
            int maxRetries) {
        this.options = options;
        this.cache = new HubCache(options.cacheDir());
        HubHttp http = new HubHttp(options, timeout, readTimeout);
        this.api = new HubApi(options, http);
        this.transfer = new FileTransfer(http, listener, maxRetries);
        this.fallback = new CacheFallback(cache);
    }

    public HubCache cache() {
        return cache;
    }

    HubOptions options() {
        return options;
    }

    HubApi api() {
        return api;
    }

    CacheFallback fallback() {
        return fallback;
    }

    /** One file at a revision (null: {@code main}), from the cache or downloaded into it; its snapshot path. */
    public Path download(RepoType type, String repoId, String revision, String path) {
        String id = RepoIds.require(repoId, type);
        String rev = RepoIds.revision(revision);
        Optional<String> commit = cache.commitFor(type, id, rev);
        if (commit.isPresent() && (options.offline() || HubCache.COMMIT_HASH.matcher(rev).matches())) {
            Path pointer = cache.pointer(type, id, commit.get(), path);
            if (Files.isRegularFile(pointer)) {
                return pointer;
            }
        }
        if (options.offline()) {
            throw fallback.notCached(type, id, rev);
        }
        FileMetadata meta;
        try {
            meta = api.http().head(api.resolveUrl(type, id, rev, path), new Target(type, id, rev, path));
        } catch (HubException e) {
            if (e.kind() == Kind.ENTRY_NOT_FOUND || e.kind() == Kind.REVISION_NOT_FOUND || commit.isEmpty()
                    || !Files.isRegularFile(cache.pointer(type, id, commit.get(), path))) {
                throw e.kind() == Kind.NETWORK ? fallback.notCachedAfter(e, type, id, rev) : e;
            }
            LOG.warn("{}; using the cached {}", e.getMessage(), path);
            return cache.pointer(type, id, commit.get(), path);
        }
        cache.writeRef(type, id, rev, meta.commit());
        return fetch(type, id, meta.commit(), path, meta);
    }

    /** A file at a known commit: the snapshot pointer if cached (no request), else HEAD (unless known) + GET. */
    public Path download(RepoType type, String id, String commit, RepoFile file) {
        Path pointer = cache.pointer(type, id, commit, file.path());
        if (Files.isRegularFile(pointer)) {
            return pointer;
        }
        if (options.offline()) {
            throw new HubException(Kind.NOT_CACHED, id, "HF_HUB_OFFLINE is set and " + file.path() + " of "
                    + new Target(type, id, commit, null).what() + " (commit " + commit + ") is not in the cache at "
                    + cache.root() + ": download it once without HF_HUB_OFFLINE", null, true);
        }
        URI url = api.resolveUrl(type, id, commit, file.path());
        FileMetadata meta = file.etag() != null && file.size() >= 0
                ? new FileMetadata(commit, file.etag(), file.size(), url)
                : api.http().head(url, new Target(type, id, commit, file.path()));
        return fetch(type, id, commit, file.path(), meta);
    }

    private Path fetch(RepoType type, String id, String commit, String path, FileMetadata meta) {
        Path pointer = cache.pointer(type, id, commit, path);
        Path blob = cache.blob(type, id, meta.etag());
        cache.tagCacheDir();
        try (FileLocks.Held lock = FileLocks.lock(cache.lockFile(type, id, meta.etag()))) {
            if (!Files.isRegularFile(blob)) {
                transfer.fetch(new Target(type, id, commit, path), meta, blob, cache.incomplete(type, id,
                        meta.etag()));
            }
            if (!Files.isRegularFile(pointer)) {
                HubCache.link(blob, pointer);
            }
            return pointer;
        } catch (IOException e) {
            throw new HubException(Kind.OTHER, id, "cannot write " + path + " of " + id + " into the cache at "
                    + cache.root() + " (" + e + "): check its permissions and free space, or set HF_HUB_CACHE", e);
        } catch (RuntimeException e) {
            if (e instanceof HubException h) {
                throw h;
            }
            throw new HubException(Kind.OTHER, id, "download of " + path + " of " + id + " failed: " + e, e);
        }
    }
}
