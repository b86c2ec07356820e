package dev.dpo4j.hub;

/** The kinds of Hub repositories dpo4j downloads from, with their URL and cache-folder prefixes. */
public enum RepoType {
    MODEL("models", ""),
    DATASET("datasets", "datasets/");

    private final String plural;
    private final String urlPrefix;

    RepoType(String plural, String urlPrefix) {
        this.plural = plural;
        this.urlPrefix = urlPrefix;
    }

    /** {@code models} or {@code datasets}: the API path segment and the cache folder prefix. */
    public String plural() {
        return plural;
    }

    /** Prefix of {@code /{prefix}{id}/resolve/...} URLs: empty for models, {@code datasets/} for datasets. */
    public String urlPrefix() {
        return urlPrefix;
    }

    /** "model" or "dataset", for messages. */
    public String singular() {
        return plural.substring(0, plural.length() - 1);
    }
}
