package dev.dpo4j.cli.launch;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs the ranks of one node to their end, as torchrun does: starts each, relays their output
 * ({@link OutputRelay}), and returns 0 when all succeed, else the exit code of the first rank that failed, after
 * stopping the others (SIGTERM, then SIGKILL after {@code failureGrace}). SIGINT or SIGTERM to the launcher (Ctrl-C)
 * is forwarded as SIGTERM to every rank, whose own handling stops after the step and saves; a rank still running
 * {@code signalGrace} later is killed. One supervisor runs one launch.
 */
public final class Supervisor {

    /** How long the ranks have after one failed, as torchrun's default. */
    public static final Duration FAILURE_GRACE = Duration.ofSeconds(30);
    /** How long the ranks have after a signal: the time a run has to save (ten minutes) and a minute more. */
    public static final Duration SIGNAL_GRACE = Duration.ofMinutes(11);
    /** How long another rank's line waits for rank 0 to print the same. */
    public static final Duration HOLD = Duration.ofSeconds(2);

    private static final long POLL_MILLIS = 100;

    private final Duration failureGrace;
    private final Duration signalGrace;
    private final Duration hold;
    private final List<Process> processes = new ArrayList<>();
    private final List<Thread> readers = new ArrayList<>();
    private final BlockingQueue<Integer> exits = new LinkedBlockingQueue<>();
    private final CountDownLatch done = new CountDownLatch(1);
    private Long killAt;
    private boolean signalled;

    /** With torchrun's grace after a failure, the time to save after a signal, and a hold of two seconds. */
    public Supervisor() {
        this(FAILURE_GRACE, SIGNAL_GRACE, HOLD);
    }

    /** With the given grace periods and hold. */
    public Supervisor(Duration failureGrace, Duration signalGrace, Duration hold) {
        this.failureGrace = failureGrace;
        this.signalGrace = signalGrace;
        this.hold = hold;
    }

    /**
     * Starts {@code ranks} (local rank 0 first), waits for all of them and returns the exit code: 0, or the first
     * failing rank's.
     *
     * @throws UncheckedIOException when a rank cannot be started (the ones started are stopped)
     */
    public int run(List<RankProcess> ranks, PrintStream out, PrintStream err) {
        OutputRelay relay = new OutputRelay(out, err, hold.toNanos(), ranks.get(0).rank());
        Thread hook = new Thread(this::onSignal, "dpo-launcher-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            start(ranks, relay);
            int code = await(ranks, relay);
            for (Thread reader : readers) {
                reader.join(TimeUnit.SECONDS.toMillis(10));
            }
            relay.finish();
            return code;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop(Duration.ZERO);
            return 1;
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook is running
            }
        }
    }

    private void start(List<RankProcess> ranks, OutputRelay relay) {
        for (int i = 0; i < ranks.size(); i++) {
            RankProcess rank = ranks.get(i);
            Process process;
            synchronized (this) {
                if (signalled) {
                    return;
                }
                try {
                    process = rank.builder().start();
                } catch (IOException e) {
                    stop(Duration.ZERO);
                    throw new UncheckedIOException("cannot start rank " + rank.rank() + ": " + e.getMessage(), e);
                }
                processes.add(process);
            }
            try {
                process.getOutputStream().close(); // the ranks read no input
            } catch (IOException e) {
                // nothing to close
            }
            int index = i;
            process.onExit().thenRun(() -> exits.add(index));
            readers.add(read(new RankStream(rank.rank(), false, relay), process, false));
            readers.add(read(new RankStream(rank.rank(), true, relay), process, true));
        }
    }

    private static Thread read(RankStream stream, Process process, boolean error) {
        Thread thread = new Thread(() -> stream.copy(error ? process.getErrorStream() : process.getInputStream()),
                "dpo-rank-output");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private int await(List<RankProcess> ranks, OutputRelay relay) throws InterruptedException {
        int code = 0;
        int running = started();
        while (running > 0) {
            Integer index = exits.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
            relay.showDue();
            if (index != null) {
                running--;
                int exit = processes.get(index).exitValue();
                if (exit != 0 && code == 0) {
                    code = exit;
                    // its last words (the error) before the launcher's line about it
                    readers.get(2 * index).join(TimeUnit.SECONDS.toMillis(5));
                    readers.get(2 * index + 1).join(TimeUnit.SECONDS.toMillis(5));
                    relay.release(ranks.get(index).rank());
                    failed(ranks.get(index), exit, running, relay);
                }
            }
            killStragglers(ranks, relay);
        }
        return code;
    }

    private synchronized void failed(RankProcess rank, int exit, int running, OutputRelay relay) {
        if (signalled) {
            return;
        }
        if (running > 0) {
            relay.note("dpo: rank " + rank.rank() + " exited with code " + exit + "; stopping the other ranks");
        }
        stop(failureGrace);
    }

    private synchronized void killStragglers(List<RankProcess> ranks, OutputRelay relay) {
        if (killAt == null || System.nanoTime() - killAt < 0) {
            return;
        }
        for (int i = 0; i < processes.size(); i++) {
            if (processes.get(i).isAlive()) {
                relay.note("dpo: rank " + ranks.get(i).rank() + " still running after SIGTERM; killing it");
                processes.get(i).toHandle().destroyForcibly();
            }
        }
        killAt = null;
    }

    /** Sends SIGTERM to every rank still running; a rank still running {@code grace} later is killed. */
    private synchronized void stop(Duration grace) {
        long at = System.nanoTime() + grace.toNanos();
        killAt = killAt == null || at - killAt < 0 ? Long.valueOf(at) : killAt;
        // through the handle: Process.destroy() would also close the pipes, losing what a rank prints as it stops
        processes.forEach(process -> process.toHandle().destroy());
    }

    private synchronized int started() {
        return processes.size();
    }

    /** Ctrl-C or SIGTERM: forwarded to the ranks; the hook returns once they ended and their output is shown. */
    private void onSignal() {
        synchronized (this) {
            signalled = true;
            stop(signalGrace);
        }
        try {
            done.await(signalGrace.toSeconds() + 60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
