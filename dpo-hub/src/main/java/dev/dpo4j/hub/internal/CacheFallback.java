package dev.dpo4j.hub.internal;

import dev.dpo4j.hub.HubCache;
import dev.dpo4j.hub.HubException;
import dev.dpo4j.hub.HubException.Kind;
import dev.dpo4j.hub.RepoType;
import dev.dpo4j.hub.internal.HubHttp.Target;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When the Hub cannot answer, the cache may: a failure that says nothing about the repository (the network, the
 * Hub's own trouble) falls back to a complete cached copy with a warning; an answer about the repository (no such
 * revision or file, a corrupt download) never does. Also the messages for "not in the cache".
 */
final class CacheFallback {

    private static final Logger LOG = LoggerFactory.getLogger(CacheFallback.class);

    private final HubCache cache;

    CacheFallback(HubCache cache) {
        this.cache = cache;
    }

    /** The cached copy after {@code e}, or {@code e} (made to say the cache lacks it too when it was the network). */
    <T> T orThrow(HubException e, RepoType type, String id, String rev, Supplier<Optional<T>> cached) {
        if (e.kind() == Kind.REVISION_NOT_FOUND || e.kind() == Kind.ENTRY_NOT_FOUND || e.kind() == Kind.CHECKSUM) {
            throw e;
        }
        Optional<T> found = cached.get();
        if (found.isPresent()) {
            LOG.warn("{}; using the cached copy of {} at '{}'", e.getMessage(), id, rev);
            return found.get();
        }
        throw e.kind() == Kind.NETWORK ? notCachedAfter(e, type, id, rev) : e;
    }

    /** Offline mode is on and the cache lacks the repository at the revision. */
    HubException notCached(RepoType type, String id, String rev) {
        return new HubException(Kind.NOT_CACHED, id, "HF_HUB_OFFLINE is set and " + new Target(type, id, rev, null)
                .what() + " (revision '" + rev + "') is not in the cache at " + cache.root() + ": download it once "
                + "without HF_HUB_OFFLINE, or point HF_HUB_CACHE at a cache that has it", null, true);
    }

    /** A network failure, said together with the cache lacking the repository (once: a marked one is kept). */
    HubException notCachedAfter(HubException e, RepoType type, String id, String rev) {
        if (e.cacheChecked()) {
            return e;
        }
        return new HubException(Kind.NETWORK, id, e.getMessage() + " and " + new Target(type, id, rev, null).what()
                + " (revision '" + rev + "') is not in the cache at " + cache.root() + ": check the network "
                + "connection and HF_ENDPOINT, or copy a Hugging Face cache that has it and set HF_HUB_OFFLINE=1",
                e.getCause() != null ? e.getCause() : e, true);
    }
}
