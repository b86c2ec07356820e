package dev.dpo4j.hub.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A dataset repository at one commit with its files grouped into splits (train-like first).
 *
 * @param revision the revision the files come from ({@code refs/convert/parquet} for the Hub's Parquet conversion)
 * @param fromCache whether the listing came from the local cache (offline, or the Hub unreachable)
 */
public record DatasetListing(String repoId, String revision, String commit, Map<String, List<RepoFile>> splits,
        boolean fromCache) {

    public DatasetListing {
        splits = Collections.unmodifiableMap(new LinkedHashMap<>(splits));
    }
}
