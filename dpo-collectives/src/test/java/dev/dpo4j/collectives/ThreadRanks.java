package dev.dpo4j.collectives;

import static org.assertj.core.api.Assumptions.assumeThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.dpo4j.core.distributed.Collectives;
import dev.dpo4j.core.distributed.RankEnvironment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs a group of ranks as threads of this JVM on 127.0.0.1, each through the Gloo provider. */
final class ThreadRanks {

    /** What one rank does with its collectives and an array manager. */
    interface Body<T> {
        T run(Collectives collectives, NDManager manager) throws Exception;
    }

    private ThreadRanks() {
    }

    /** Skips the test where the shim or Gloo's library is missing. */
    static void assumeGloo() {
        assumeThat(GlooProvider.unavailableReason()).as("Gloo is not available here (install g++ and libgloo-dev "
                + "and rebuild dpo-collectives)").isNull();
    }

    /** Each rank's result, in rank order; the first rank's failure is thrown as it is. */
    static <T> List<T> run(int worldSize, Duration timeout, Body<T> body) throws Exception {
        return run(LoopbackRanks.of(worldSize), timeout, body);
    }

    /** Runs {@code ranks} (a subset of a group, to leave ranks out) as threads. */
    static <T> List<T> run(List<RankEnvironment> ranks, Duration timeout, Body<T> body) throws Exception {
        assumeGloo();
        ExecutorService threads = Executors.newFixedThreadPool(ranks.size());
        try {
            List<Future<T>> results = new ArrayList<>();
            for (RankEnvironment rank : ranks) {
                results.add(threads.submit(() -> {
                    try (NDManager manager = NDManager.newBaseManager(Device.cpu());
                            Collectives collectives = new GlooProvider().connect(rank, Device.cpu(), timeout)) {
                        return body.run(collectives, manager);
                    }
                }));
            }
            List<T> values = new ArrayList<>();
            for (Future<T> result : results) {
                values.add(get(result, timeout.multipliedBy(3)));
            }
            return values;
        } finally {
            threads.shutdownNow();
        }
    }

    private static <T> T get(Future<T> result, Duration limit) throws Exception {
        try {
            return result.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (TimeoutException e) {
            throw new AssertionError("a rank hung past " + limit, e);
        }
    }
}
