package dev.dpo4j.collectives.internal;

import dev.dpo4j.core.distributed.CollectivesException;
import java.util.Arrays;
import java.util.List;

/** The store that Gloo's rendezvous calls back into (from {@code dpo4j_gloo.cpp}): the rendezvous store, prefixed. */
final class GlooStore {

    private static final String PREFIX = "gloo/";

    private final StoreClient client;

    GlooStore(StoreClient client) {
        this.client = client;
    }

    void set(String key, byte[] value) {
        client.set(PREFIX + key, value);
    }

    byte[] get(String key) {
        return client.get(PREFIX + key);
    }

    void await(String[] keys, long timeoutMillis) {
        List<String> prefixed = Arrays.stream(keys).map(k -> PREFIX + k).toList();
        List<String> missing = client.await(prefixed, timeoutMillis);
        if (!missing.isEmpty()) {
            throw new CollectivesException("Gloo's rendezvous at " + client.address() + " timed out after "
                    + timeoutMillis + " ms waiting for " + missing);
        }
    }
}
