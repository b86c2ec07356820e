package dev.dpo4j.adapters;

import dev.dpo4j.hub.HubClient;
import dev.dpo4j.hub.datasets.DataFileFormat;
import dev.dpo4j.hub.datasets.SplitNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a dataset's rows come from: a local file or folder, or a split of a Hugging Face Hub dataset at a revision
 * (read through a {@link HubClient}, as {@code datasets.load_dataset(id, split=...)}).
 *
 * @param pathOrId a local path, or a Hub dataset id ({@code org/name})
 * @param split the Hub split ({@value SplitNames#DEFAULT_SPLIT} when null); ignored for local paths
 * @param revision the Hub branch, tag or commit (null: {@code main}); ignored for local paths
 */
public record DatasetSource(String pathOrId, String split, String revision) {

    public DatasetSource {
        Objects.requireNonNull(pathOrId, "pathOrId");
        pathOrId = pathOrId.strip();
        split = split == null || split.isBlank() ? SplitNames.DEFAULT_SPLIT : split.strip();
    }

    /** A local path, or a Hub id at its default split and {@code main}. */
    public static DatasetSource of(String pathOrId) {
        return new DatasetSource(pathOrId, null, null);
    }

    /** A local file or folder. */
    public static DatasetSource of(Path path) {
        return of(path.toString());
    }

    /** Whether it names a Hub dataset rather than a local path ({@link #isHubDatasetId}). */
    public boolean isHub() {
        return isHubDatasetId(pathOrId);
    }

    /**
     * Whether a string is read as a Hub dataset id: {@code org/name} in the Hub's id form, not an existing local
     * path, and not named like a data file ({@code rows.jsonl} is a missing file, not an id). A single name
     * without '/' is taken as a local path.
     */
    public static boolean isHubDatasetId(String s) {
        String id = s.strip();
        return isHubRepoId(id) && !DataFileFormat.namedLikeDataFile(id);
    }

    /** An {@code org/name} Hub repository id that is not an existing local path. */
    public static boolean isHubRepoId(String s) {
        String id = s.strip();
        return id.contains("/") && HubClient.isRepoId(id) && !Files.exists(Path.of(id));
    }

    /** For messages: the path, or {@code id (Hub, split s[, revision r])}. */
    @Override
    public String toString() {
        return isHub() ? pathOrId + " (Hub, split " + split + (revision == null ? "" : ", revision " + revision) + ")"
                : pathOrId;
    }
}
