package dev.dpo4j.collectives.internal;

import dev.dpo4j.core.distributed.CollectivesException;
import dev.dpo4j.core.distributed.RankEnvironment;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Where the ranks meet: rank 0 serves the {@link StoreServer} at {@code MASTER_PORT}, every rank connects to
 * {@code MASTER_ADDR:MASTER_PORT}, announces itself and waits for all the others, so that a rank that never arrives is
 * named within the timeout.
 */
public final class Rendezvous implements AutoCloseable {

    private final StoreServer server;
    private final StoreClient client;

    private Rendezvous(StoreServer server, StoreClient client) {
        this.server = server;
        this.client = client;
    }

    /**
     * Meets the other ranks of {@code environment}.
     *
     * @throws CollectivesException naming the ranks that did not arrive within {@code timeout}, and the address
     */
    public static Rendezvous meet(RankEnvironment environment, Duration timeout) {
        StoreServer server = environment.rank() == 0 ? StoreServer.serve(environment.masterPort()) : null;
        StoreClient client = null;
        try {
            client = StoreClient.connect(environment.masterAddress(), environment.masterPort(), timeout);
            client.set(joined(environment.rank()), new byte[0]);
            List<String> all = IntStream.range(0, environment.worldSize()).mapToObj(Rendezvous::joined).toList();
            List<String> missing = client.await(all, timeout.toMillis());
            if (!missing.isEmpty()) {
                List<Integer> ranks = missing.stream().map(k -> Integer.parseInt(k.substring(k.indexOf('/') + 1)))
                        .toList();
                throw new CollectivesException("rendezvous at " + client.address() + ": rank" + (ranks.size() > 1
                        ? "s " : " ") + ranks + " of " + environment.worldSize() + " did not arrive within "
                        + timeout.toMillis() + " ms (this is rank " + environment.rank() + ")");
            }
            return new Rendezvous(server, client);
        } catch (RuntimeException e) {
            closeBoth(server, client);
            throw e;
        }
    }

    /** The store that Gloo's own rendezvous uses. */
    GlooStore glooStore() {
        return new GlooStore(client);
    }

    /** Where the ranks met. */
    public String address() {
        return client.address();
    }

    private static String joined(int rank) {
        return "joined/" + rank;
    }

    @Override
    public void close() {
        closeBoth(server, client);
    }

    private static void closeBoth(StoreServer server, StoreClient client) {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }
}
