package dev.dpo4j.hub;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A dataset repository at one commit with its files grouped into splits ({@link DatasetSplits}); {@link #files}
 * downloads a split into the cache (or finds it there) and returns the local files.
 */
public final class HubDataset {

    /** A file of the listing: its repository path, and the etag and size when the tree API gave them. */
    record RepoFile(String path, String etag, long size) {
    }

    private final HubClient client;
    private final String repoId;
    private final String revision;
    private final String commit;
    private final Map<String, List<RepoFile>> splits;
    private final boolean fromCache;

    HubDataset(HubClient client, String repoId, String revision, String commit, Map<String, List<RepoFile>> splits,
            boolean fromCache) {
        this.client = client;
        this.repoId = repoId;
        this.revision = revision;
        this.commit = commit;
        this.splits = splits;
        this.fromCache = fromCache;
    }

    public String repoId() {
        return repoId;
    }

    /** The revision the files come from ({@code refs/convert/parquet} when the Hub's Parquet conversion is used). */
    public String revision() {
        return revision;
    }

    /** The commit hash of that revision. */
    public String commit() {
        return commit;
    }

    /** Whether the listing came from the local cache (offline, or the Hub unreachable). */
    public boolean fromCache() {
        return fromCache;
    }

    /** Split names, train-like first. */
    public List<String> splits() {
        return List.copyOf(splits.keySet());
    }

    /** The repository paths of a split's files. */
    public List<String> paths(String split) {
        return require(split).stream().map(RepoFile::path).toList();
    }

    /** The dataset's own evaluation split for a training split ({@link DatasetSplits#evalSplitFor}). */
    public Optional<String> evalSplitFor(String trainSplit) {
        return DatasetSplits.evalSplitFor(trainSplit, splits.keySet());
    }

    /** The local files of a split, downloading those the cache lacks. */
    public List<Path> files(String split) {
        List<Path> local = new ArrayList<>();
        for (RepoFile file : require(split)) {
            local.add(client.download(RepoType.DATASET, repoId, commit, file));
        }
        return local;
    }

    private List<RepoFile> require(String split) {
        List<RepoFile> files = splits.get(split);
        if (files == null) {
            throw new HubException(HubException.Kind.ENTRY_NOT_FOUND, repoId, "dataset " + repoId + " has no split '"
                    + split + "'" + (fromCache ? " in the cache" : "") + ": its splits are " + splits.keySet()
                    + ", choose one of them");
        }
        return files;
    }

    static Map<String, List<RepoFile>> group(Map<String, List<String>> splitPaths, Map<String, RepoFile> byPath) {
        Map<String, List<RepoFile>> result = new LinkedHashMap<>();
        splitPaths.forEach((split, paths) -> result.put(split, paths.stream()
                .map(p -> byPath.getOrDefault(p, new RepoFile(p, null, -1))).toList()));
        return result;
    }
}
