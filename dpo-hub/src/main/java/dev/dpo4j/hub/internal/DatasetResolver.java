package dev.dpo4j.hub.internal;

import com.google.gson.JsonObject;
import dev.dpo4j.hub.datasets.DatasetSplits;
import dev.dpo4j.hub.HubCache;
import dev.dpo4j.hub.HubException;
import dev.dpo4j.hub.HubException.Kind;
import dev.dpo4j.hub.RepoType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The split listing of a Hub dataset at a revision: its own Parquet, JSON Lines and JSON files grouped by
 * {@link DatasetSplits#infer}, else the Hub's Parquet conversion ({@value #PARQUET_REVISION}); from the cache when
 * offline or when the Hub cannot be reached. Downloads nothing.
 */
public final class DatasetResolver {

    /** The branch where the Hub keeps its Parquet conversion of a dataset. */
    public static final String PARQUET_REVISION = "refs/convert/parquet";

    private final FileDownloads downloads;
    private final HubCache cache;
    private final TreeListing tree;

    public DatasetResolver(FileDownloads downloads) {
        this.downloads = downloads;
        this.cache = downloads.cache();
        this.tree = new TreeListing(downloads.options(), downloads.api());
    }

    /** The listing of a dataset id at a revision (null: {@code main}). */
    public DatasetListing listing(String datasetId, String revision) {
        String id = RepoIds.require(datasetId, RepoType.DATASET);
        String rev = RepoIds.revision(revision);
        CacheFallback fallback = downloads.fallback();
        if (downloads.options().offline()) {
            return cached(id, rev).orElseThrow(() -> fallback.notCached(RepoType.DATASET, id, rev));
        }
        try {
            return online(id, rev);
        } catch (HubException e) {
            return fallback.orThrow(e, RepoType.DATASET, id, rev, () -> cached(id, rev));
        }
    }

    private DatasetListing online(String id, String rev) {
        HubApi api = downloads.api();
        JsonObject info = api.revisionInfo(RepoType.DATASET, id, rev);
        String commit = api.sha(info, RepoType.DATASET, id, rev);
        Map<String, RepoFile> files = tree.files(id, rev, commit, info);
        Map<String, List<String>> splits = DatasetSplits.infer(files.keySet());
        cache.writeRef(RepoType.DATASET, id, rev, commit);
        if (!splits.isEmpty()) {
            return new DatasetListing(id, rev, commit, group(splits, files), false);
        }
        JsonObject converted;
        try {
            converted = api.revisionInfo(RepoType.DATASET, id, PARQUET_REVISION);
        } catch (HubException e) {
            if (e.kind() != Kind.REVISION_NOT_FOUND) {
                throw e;
            }
            throw new HubException(Kind.ENTRY_NOT_FOUND, id, "dataset " + id + " has no Parquet, JSON Lines or "
                    + "JSON data files at revision '" + rev + "' and no Parquet conversion (" + PARQUET_REVISION
                    + "): download its files by hand and pass the local paths", e);
        }
        String convertedCommit = api.sha(converted, RepoType.DATASET, id, PARQUET_REVISION);
        Map<String, RepoFile> convertedFiles = tree.files(id, PARQUET_REVISION, convertedCommit, converted);
        cache.writeRef(RepoType.DATASET, id, PARQUET_REVISION, convertedCommit);
        return new DatasetListing(id, PARQUET_REVISION, convertedCommit,
                group(DatasetSplits.inferConverted(convertedFiles.keySet()), convertedFiles), false);
    }

    /** The listing from the cached snapshot of the revision, else of the cached Parquet conversion. */
    Optional<DatasetListing> cached(String id, String rev) {
        Optional<String> commit = cache.commitFor(RepoType.DATASET, id, rev);
        if (commit.isPresent()) {
            Map<String, List<String>> splits = DatasetSplits.infer(cache.snapshotFiles(RepoType.DATASET, id,
                    commit.get()));
            if (!splits.isEmpty()) {
                return Optional.of(new DatasetListing(id, rev, commit.get(), group(splits, Map.of()), true));
            }
        }
        Optional<String> converted = cache.commitFor(RepoType.DATASET, id, PARQUET_REVISION);
        if (converted.isPresent()) {
            Map<String, List<String>> splits = DatasetSplits.inferConverted(cache.snapshotFiles(RepoType.DATASET,
                    id, converted.get()));
            if (!splits.isEmpty()) {
                return Optional.of(new DatasetListing(id, PARQUET_REVISION, converted.get(), group(splits, Map.of()),
                        true));
            }
        }
        return Optional.empty();
    }

    private static Map<String, List<RepoFile>> group(Map<String, List<String>> splitPaths,
            Map<String, RepoFile> byPath) {
        Map<String, List<RepoFile>> result = new LinkedHashMap<>();
        splitPaths.forEach((split, paths) -> result.put(split, paths.stream()
                .map(p -> byPath.getOrDefault(p, RepoFile.named(p))).toList()));
        return result;
    }
}
