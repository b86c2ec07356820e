package dev.dpo4j.core.internal.step;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.dpo4j.core.kernels.Autograd;
import dev.dpo4j.core.placement.DeviceWeights;
import dev.dpo4j.core.placement.StatePlacement;
import dev.dpo4j.core.reference.ReferenceLogps;
import dev.dpo4j.core.trained.TrainedModel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The workers of a run and their threads: data parallelism on several devices of one host, the role DeepSpeed plays
 * for the original tool. A step's micro-batches are dealt out micro-step by micro-step (worker {@code i} takes
 * micro-batch {@code k * devices + i}), each worker on its own thread and the primary on the caller's; after each
 * micro-step the caller is told which workers ran, so their gradients can go to the optimizer. One device is the
 * plain single-device path: no thread.
 */
public final class Workers implements AutoCloseable {

    private final List<Worker> workers;
    private final ExecutorService threads;

    /** The workers, the primary first. */
    public Workers(List<Worker> workers) {
        this.workers = List.copyOf(workers);
        this.threads = workers.size() == 1 ? null : Executors.newFixedThreadPool(workers.size() - 1, daemons());
    }

    /**
     * A worker per device, the first on {@code first}'s device: each reads the policy as {@code model} lays it over the
     * copies of the trained weights that {@code placement} makes on its device, and gets its own copy of a live
     * reference (a table is shared; a LoRA base with its adapters off is read through the worker's view).
     *
     * @param devices the devices, the first being {@code first}'s; a device listed twice gets two workers
     * @param trainReference the first device's reference for training pairs (null when the loss needs none)
     * @param evalReference the first device's reference for evaluation pairs (may be {@code trainReference})
     */
    public static Workers create(List<Device> devices, NDManager first, StatePlacement placement, TrainedModel model,
            ReferenceLogps trainReference, ReferenceLogps evalReference, Worker.Scoring scoring) {
        List<Worker> workers = new ArrayList<>();
        workers.add(new Worker(0, first, model.onDevice(placement.copiesOn(0, first), first, true), trainReference,
                evalReference, scoring));
        for (int i = 1; i < devices.size(); i++) {
            NDManager manager = first.newSubManager(devices.get(i));
            DeviceWeights view = model.onDevice(placement.copiesOn(i, manager), manager, false);
            ReferenceLogps train = trainReference == null ? null : trainReference.on(manager, view.referenceView());
            ReferenceLogps eval = evalReference == trainReference ? train
                    : evalReference == null ? null : evalReference.on(manager, view.referenceView());
            workers.add(new Worker(i, manager, view, train, eval, scoring));
        }
        return new Workers(workers);
    }

    /** Every worker's view of the weights, the first device's first: what the optimizer refreshes after a step. */
    public List<DeviceWeights> views() {
        return workers.stream().map(Worker::weights).toList();
    }

    private static ThreadFactory daemons() {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "dpo4j-device-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** The workers, the primary first. */
    public List<Worker> all() {
        return workers;
    }

    /** The primary worker, on the device where the optimizer lives. */
    public Worker primary() {
        return workers.get(0);
    }

    /** Number of workers (devices). */
    public int size() {
        return workers.size();
    }

    /**
     * Runs {@code batches} micro-step by micro-step, each worker's share on its own thread (the primary's on the
     * caller's), calling {@code afterMicroStep} with the workers that ran once all of a micro-step's are done.
     * Returns the results in batch order; the first failure is rethrown after every thread has finished.
     */
    public <R> List<R> run(List<int[]> batches, Task<R> task, MicroStepListener afterMicroStep) {
        List<R> results = new ArrayList<>(batches.size());
        for (int from = 0; from < batches.size(); from += workers.size()) {
            int count = Math.min(workers.size(), batches.size() - from);
            List<Future<R>> others = new ArrayList<>(count - 1);
            for (int i = 1; i < count; i++) {
                Worker worker = workers.get(i);
                int[] batch = batches.get(from + i);
                others.add(threads.submit(() -> {
                    try (Autograd paused = Autograd.pause()) {
                        return task.run(worker, batch);
                    }
                }));
            }
            RuntimeException failure = null;
            try {
                results.add(task.run(workers.get(0), batches.get(from)));
            } catch (RuntimeException e) {
                failure = e;
            }
            for (Future<R> other : others) {
                try {
                    results.add(other.get());
                } catch (ExecutionException | InterruptedException e) {
                    failure = failure != null ? failure : rethrowable(e);
                }
            }
            if (failure != null) {
                throw failure;
            }
            afterMicroStep.done(workers.subList(0, count));
        }
        return results;
    }

    private static RuntimeException rethrowable(Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new IllegalStateException("interrupted while waiting for a device thread", e);
        }
        Throwable cause = e.getCause();
        if (cause instanceof Error) {
            throw (Error) cause;
        }
        return cause instanceof RuntimeException ? (RuntimeException) cause
                : new IllegalStateException("device thread failed: " + cause, cause);
    }

    /** Stops the device threads and closes every worker. */
    @Override
    public void close() {
        if (threads != null) {
            threads.shutdownNow();
        }
        workers.forEach(Worker::close);
    }

    /** Work done on one worker for one micro-batch. */
    @FunctionalInterface
    public interface Task<R> {
        /** Runs {@code batch} (pair indices) on {@code worker}. */
        R run(Worker worker, int[] batch);
    }

    /** Called on the caller's thread after each micro-step. */
    @FunctionalInterface
    public interface MicroStepListener {
        /** The workers that ran a micro-batch in the micro-step, the primary first. */
        void done(List<Worker> ran);
    }
}
