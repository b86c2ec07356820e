package dev.dpo4j.hub.internal;

import dev.dpo4j.hub.HubException;
import dev.dpo4j.hub.HubException.Kind;
import dev.dpo4j.hub.RepoType;
import java.util.regex.Pattern;

/** Hub repository ids ({@code name} or {@code org/name}) and revisions, checked before any request. */
public final class RepoIds {

    /** The branch used when no revision is given. */
    public static final String DEFAULT_REVISION = "main";

    private static final Pattern REPO_ID = Pattern.compile("^(?:[A-Za-z0-9][A-Za-z0-9._-]*/)?[A-Za-z0-9][A-Za-z0-9._-]*$");

    private RepoIds() {
    }

    /** Whether the string has the form of a Hub repository id: {@code name} or {@code org/name}. */
    public static boolean isRepoId(String s) {
        return s != null && s.length() <= 200 && REPO_ID.matcher(s).matches() && !s.contains("--")
                && !s.contains("..") && !s.endsWith(".") && !s.endsWith(".git");
    }

    /**
     * The id itself when it is one.
     *
     * @throws HubException of kind {@link Kind#REPO_NOT_FOUND} saying it is neither a local path nor an id
     */
    public static String require(String s, RepoType type) {
        if (!isRepoId(s)) {
            throw new HubException(Kind.REPO_NOT_FOUND, s, "'" + s + "' is neither an existing local path nor a "
                    + "Hub " + type.singular() + " id (org/name): check the path or the id");
        }
        return s;
    }

    /** The revision stripped, or {@link #DEFAULT_REVISION} for null or blank. */
    public static String revision(String revision) {
        return revision == null || revision.isBlank() ? DEFAULT_REVISION : revision.strip();
    }
}
