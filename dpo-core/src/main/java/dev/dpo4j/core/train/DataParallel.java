package dev.dpo4j.core.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.model.DeviceArrays;
import dev.dpo4j.core.model.Weights;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Data-parallel training on several devices of one host, the role DeepSpeed plays for the original tool. Each device
 * has a worker: the policy's weights in the compute type, its own reference, and a thread. A step's micro-batches are
 * dealt out micro-step by micro-step (worker {@code i} takes micro-batch {@code k * devices + i}), and after each
 * micro-step every other worker's gradients are added into the optimizer's float32 gradients on the first device,
 * as DJL's {@code LocalParameterServer} reduces onto its first device. The optimizer and its state live on the first
 * device only; after each optimizer step the new weights are copied out to the others. One device is the plain
 * single-device path: no mirror, no thread.
 */
final class DataParallel implements AutoCloseable {

    private static final NDIndex ALL = new NDIndex("...");

    private final PolicyUpdater updater;
    private final List<Worker> workers = new ArrayList<>();
    private final ExecutorService threads;

    /**
     * Sets up a worker per device; the first device is {@code primary}'s, where the policy and optimizer live.
     *
     * @param devices the devices, the first being {@code primary}'s; a device listed twice gets two workers
     */
    DataParallel(List<Device> devices, NDManager primary, PolicyUpdater updater, DataType computeType) {
        this.updater = updater;
        workers.add(new Worker(0, primary.getDevice(), primary, null));
        for (int i = 1; i < devices.size(); i++) {
            Device device = devices.get(i);
            NDManager manager = primary.newSubManager(device);
            Map<String, NDArray> mirrors = new LinkedHashMap<>();
            updater.masters().forEach((name, master) -> {
                NDArray mirror = DeviceArrays.copy(master, computeType, device);
                mirror.attach(manager);
                mirror.setRequiresGradient(true);
                mirrors.put(name, mirror);
            });
            workers.add(new Worker(i, device, manager, mirrors));
        }
        this.threads = devices.size() == 1 ? null : Executors.newFixedThreadPool(devices.size() - 1, daemons());
    }

    private static ThreadFactory daemons() {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "dpo4j-device-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** The workers, the first one on the primary device. */
    List<Worker> workers() {
        return workers;
    }

    /** Number of devices (workers). */
    int size() {
        return workers.size();
    }

    /**
     * Runs {@code batches} micro-step by micro-step, each worker's share on its own thread (the first worker on the
     * caller's), calling {@code afterMicroStep} with the workers that ran once all of a micro-step's are done.
     * Returns the results in batch order; the first failure is rethrown after every thread has finished.
     */
    <R> List<R> run(List<int[]> batches, Task<R> task, MicroStepListener afterMicroStep) {
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

    /**
     * Adds the gradients of the given workers' weights into the optimizer's float32 gradients on the first device
     * and clears them (the first worker's own gradients are the policy updater's business).
     */
    void reduceGradients(List<Worker> ran) {
        Map<String, NDArray> sums = updater.gradients();
        NDManager primary = workers.get(0).manager();
        for (Worker worker : ran.subList(1, ran.size())) {
            try (NDManager scratch = primary.newSubManager()) {
                worker.mirrors().forEach((name, mirror) -> {
                    NDArray gradient = mirror.getGradient();
                    gradient.attach(scratch);
                    NDArray moved = gradient.toDevice(primary.getDevice(), false);
                    moved.attach(scratch);
                    NDArray sum = sums.get(name);
                    sum.tempAttach(scratch);
                    sum.addi(moved.toType(DataType.FLOAT32, false));
                    ZeroFill.fill(gradient);
                });
            }
        }
    }

    /** Copies the current master weights out to every other worker (after each optimizer step). */
    void broadcastWeights() {
        Map<String, NDArray> masters = updater.masters();
        for (Worker worker : workers.subList(1, workers.size())) {
            try (NDManager scratch = worker.manager().newSubManager(); Autograd paused = Autograd.pause()) {
                worker.mirrors().forEach((name, mirror) -> {
                    NDArray fresh = DeviceArrays.copy(masters.get(name), mirror.getDataType(), worker.device());
                    fresh.attach(scratch);
                    mirror.tempAttach(scratch);
                    mirror.set(ALL, fresh);
                });
            }
        }
    }

    /** Stops the device threads and frees the other workers' weights. */
    @Override
    public void close() {
        if (threads != null) {
            threads.shutdownNow();
        }
        workers.subList(1, workers.size()).forEach(w -> w.manager().close());
    }

    /**
     * One device's share of the work.
     *
     * @param index position in the device list (0: the primary, which trains the policy itself)
     * @param device where its arrays live
     * @param manager the manager its arrays live under
     * @param mirrors its copies of the policy's weights, in the compute type (null for the primary)
     */
    record Worker(int index, Device device, NDManager manager, Map<String, NDArray> mirrors) {

        /** The weights this worker's training forward pass reads. */
        Weights weights(PolicyUpdater updater) {
            return mirrors == null ? updater.weights() : mirrors::get;
        }
    }

    /** Work done on one worker for one micro-batch. */
    @FunctionalInterface
    interface Task<R> {
        /** Runs {@code batch} (pair indices) on {@code worker}. */
        R run(Worker worker, int[] batch);
    }

    /** Called on the caller's thread after each micro-step. */
    @FunctionalInterface
    interface MicroStepListener {
        /** The workers that ran a micro-batch in the micro-step, the first worker first. */
        void done(List<Worker> ran);
    }
}
