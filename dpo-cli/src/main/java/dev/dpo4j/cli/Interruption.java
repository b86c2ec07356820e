package dev.dpo4j.cli;

import dev.dpo4j.core.checkpoint.FolderLock;
import dev.dpo4j.core.train.DpoTrainer;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Ctrl-C (SIGINT) and SIGTERM during training: a shutdown hook cancels the running trainer and waits until the main
 * thread has saved and printed the summary; the JVM then exits with the signal's code (130 or 143), which the JDK
 * sets for a shutdown started by a signal. The hook never calls {@code System.exit}. Before training starts (the
 * trainer is published in {@link #running()} only from {@code onTrainingStart}) a signal stops at once, writing
 * nothing.
 */
final class Interruption {

    /** How long the hook waits for the current step, the final evaluation and the save. */
    static final long WAIT_MINUTES = 10;

    private final AtomicReference<DpoTrainer> running = new AtomicReference<>();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicBoolean signalled = new AtomicBoolean();
    private final AtomicBoolean launching = new AtomicBoolean();
    private final PrintStream err;

    private Interruption(PrintStream err) {
        this.err = err;
    }

    /** Registers the shutdown hook. */
    static Interruption install(PrintStream err) {
        Interruption interruption = new Interruption(err);
        Runtime.getRuntime().addShutdownHook(new Thread(interruption::onShutdown, "dpo-shutdown"));
        return interruption;
    }

    /** Where the run publishes its trainer while {@code train()} runs. */
    AtomicReference<DpoTrainer> running() {
        return running;
    }

    /** The main thread is done: lets a waiting hook return. */
    void finished() {
        finished.countDown();
    }

    /** The command launches ranks instead of training: their supervisor forwards a signal, this hook stays quiet. */
    void launching() {
        launching.set(true);
    }

    /** Whether the JVM is shutting down because of a signal (or another thread's exit). */
    boolean signalled() {
        return signalled.get();
    }

    private void onShutdown() {
        signalled.set(true);
        if (launching.get()) {
            return;
        }
        DpoTrainer trainer = running.get();
        if (trainer == null) {
            // training has not started (loading, preparing the data, rendering the template): nothing to save,
            // exit at once; the output folder's lock goes with the JVM, and with it the folder if the run made it
            if (finished.getCount() > 0) {
                err.println();
                err.println("interrupted before training started: stopping now; nothing was saved");
                err.flush();
                FolderLock.releaseAll();
            }
            return;
        }
        err.println();
        err.println("interrupted: stopping after the current step, saving a checkpoint and the model");
        err.flush();
        trainer.cancel();
        try {
            if (!finished.await(WAIT_MINUTES, TimeUnit.MINUTES)) {
                err.println("dpo: error: still saving after " + WAIT_MINUTES + " minutes; exiting without waiting");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
