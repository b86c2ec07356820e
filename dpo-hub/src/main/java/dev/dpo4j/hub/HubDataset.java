package dev.dpo4j.hub;

import dev.dpo4j.hub.internal.DatasetListing;
import dev.dpo4j.hub.internal.FileDownloads;
import dev.dpo4j.hub.internal.RepoFile;
import dev.dpo4j.hub.datasets.DatasetSplits;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A dataset repository at one commit with its files grouped into splits ({@link DatasetSplits}); {@link #files}
 * downloads a split into the cache (or finds it there) and returns the local files.
 */
public final class HubDataset {

    private final FileDownloads downloads;
    private final DatasetListing listing;

    HubDataset(FileDownloads downloads, DatasetListing listing) {
        this.downloads = downloads;
        this.listing = listing;
    }

    public String repoId() {
        return listing.repoId();
    }

    /** The revision the files come from ({@code refs/convert/parquet} when the Hub's Parquet conversion is used). */
    public String revision() {
        return listing.revision();
    }

    /** The commit hash of that revision. */
    public String commit() {
        return listing.commit();
    }

    /** Whether the listing came from the local cache (offline, or the Hub unreachable). */
    public boolean fromCache() {
        return listing.fromCache();
    }

    /** Split names, train-like first. */
    public List<String> splits() {
        return List.copyOf(listing.splits().keySet());
    }

    /** The repository paths of a split's files. */
    public List<String> paths(String split) {
        return require(split).stream().map(RepoFile::path).toList();
    }

    /** The dataset's own evaluation split for a training split ({@link DatasetSplits#evalSplitFor}). */
    public Optional<String> evalSplitFor(String trainSplit) {
        return DatasetSplits.evalSplitFor(trainSplit, listing.splits().keySet());
    }

    /** The local files of a split, downloading those the cache lacks. */
    public List<Path> files(String split) {
        List<Path> local = new ArrayList<>();
        for (RepoFile file : require(split)) {
            local.add(downloads.download(RepoType.DATASET, repoId(), commit(), file));
        }
        return local;
    }

    private List<RepoFile> require(String split) {
        List<RepoFile> files = listing.splits().get(split);
        if (files == null) {
            throw new HubException(HubException.Kind.ENTRY_NOT_FOUND, repoId(), "dataset " + repoId()
                    + " has no split '" + split + "'" + (fromCache() ? " in the cache" : "") + ": its splits are "
                    + listing.splits().keySet() + ", choose one of them");
        }
        return files;
    }
}
