package dev.dpo4j.core.internal.step;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.kernels.Autograd;
import dev.dpo4j.core.internal.exchange.AdapterWeights;
import dev.dpo4j.core.internal.exchange.FlatRuns;
import dev.dpo4j.core.internal.exchange.MasterWeights;
import dev.dpo4j.core.internal.exchange.MirrorWeights;
import dev.dpo4j.core.internal.exchange.WorkerWeights;
import dev.dpo4j.core.internal.precision.HalfCopies;
import dev.dpo4j.core.kernels.Kernels;
import dev.dpo4j.core.lora.LoraAdapters;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.optim.AdamW;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
     * A worker per device, the first on {@code primary}'s device, where the optimizer's float32 masters and
     * {@code adamW} live: the primary reads the masters (float32) or half-precision copies of them, every other
     * device a mirror, and each gets its own copy of a live reference (a table is shared). With LoRA the masters are
     * the adapters', each worker reads them over a frozen base on its device, and a reference with the adapters off
     * reads that same base.
     *
     * @param devices the devices, the first being {@code primary}'s; a device listed twice gets two workers
     * @param trainReference the primary's reference for training pairs (null when the loss needs none)
     * @param evalReference the primary's reference for evaluation pairs (may be {@code trainReference})
     * @param adapters the LoRA adapters trained on the frozen {@code scoring.policy()}; null: every weight is trained
     * @param kernels the casts of the half-precision copies
     * @param runElements elements per transfer between devices ({@link FlatRuns#RUN_ELEMENTS})
     */
    public static Workers create(List<Device> devices, NDManager primary, AdamW adamW, DataType computeType,
            ReferenceLogps trainReference, ReferenceLogps evalReference, Worker.Scoring scoring, Adapters adapters,
            Kernels kernels, long runElements) {
        CausalLm policy = scoring.policy();
        List<List<String>> stackable = adapters == null ? CausalLm.stackedProjections(policy.config()) : List.of();
        Map<String, NDArray> masters = adapters == null ? policy.parameters() : adapters.trained().parameters();
        WorkerWeights copies = computeType != DataType.FLOAT32
                ? new HalfCopies(masters, adamW.gradients(), primary, kernels, computeType, stackable)
                : new MasterWeights(masters, adamW.gradients(), adapters == null ? policy.weights() : masters::get);
        WorkerWeights primaryView = adapters == null ? copies
                : new AdapterWeights(policy, false, copies, adapters.trained(), adapters.reference(),
                        adapters.dropout());
        List<Worker> workers = new ArrayList<>();
        workers.add(new Worker(0, primary, primaryView, trainReference, evalReference, scoring));
        for (int i = 1; i < devices.size(); i++) {
            NDManager manager = primary.newSubManager(devices.get(i));
            WorkerWeights mirror = new MirrorWeights(adamW.flatGroups(), masters, computeType, kernels, manager,
                    primary, runElements, stackable);
            WorkerWeights view = adapters == null ? mirror : new AdapterWeights(
                    policy.frozenCopyOn(manager.newSubManager(), computeType), true, mirror, adapters.trained(),
                    adapters.reference() == null ? null
                            : adapters.reference().frozenCopyOn(manager.newSubManager(), computeType, kernels),
                    adapters.dropout());
            ReferenceLogps train = trainReference == null ? null : trainReference.on(manager, view);
            ReferenceLogps eval = evalReference == trainReference ? train
                    : evalReference == null ? null : evalReference.on(manager, view);
            workers.add(new Worker(i, manager, view, train, eval, scoring));
        }
        return new Workers(workers);
    }

    /**
     * What a LoRA run trains and refers to.
     *
     * @param trained the adapters whose float32 masters the optimizer updates
     * @param reference a frozen copy of the adapters training started from, the reference's (TRL's "ref" adapter);
     *     null: the reference is the base with the adapters off
     * @param dropout the adapters' input dropout while training
     */
    public record Adapters(LoraAdapters trained, LoraAdapters reference, double dropout) {
    }

    /** Every worker's view of the weights, the primary's first: what the optimizer refreshes after a step. */
    public List<WorkerWeights> views() {
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
