package dev.dpo4j.hub;

/**
 * What a push to the Hub did.
 *
 * @param commitUrl the commit's page, or the repository's when nothing changed (no commit was made)
 * @param commitOid the commit's hash, or null when nothing changed
 * @param committed files in the commit (those that changed)
 * @param unchanged files left out of the commit because the repository already has them as they are
 * @param lfsUploaded large files whose bytes were uploaded
 * @param lfsPresent large files whose bytes the Hub already had, so not uploaded again
 */
public record PushResult(String commitUrl, String commitOid, int committed, int unchanged, int lfsUploaded,
        int lfsPresent) {
}
