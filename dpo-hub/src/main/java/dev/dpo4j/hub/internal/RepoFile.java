package dev.dpo4j.hub.internal;

/** A file of a repository listing: its repository path, and the etag and size when the tree API gave them. */
public record RepoFile(String path, String etag, long size) {

    /** A file known by its path only (its etag and size come from a HEAD request). */
    public static RepoFile named(String path) {
        return new RepoFile(path, null, -1);
    }
}
