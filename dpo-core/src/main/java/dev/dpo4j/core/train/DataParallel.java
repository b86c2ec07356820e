package dev.dpo4j.core.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.model.DeviceArrays;
import dev.dpo4j.core.model.Weights;
import dev.dpo4j.core.optim.AdamW;
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
 *
 * <p>Both exchanges move runs of whole tensors at once, laid out as the optimizer's flat buffers: a worker's weights
 * are views of one flat buffer per optimizer group, so copying the weights out is one transfer per run, and its
 * gradients are concatenated into one transfer per run before they are added in.
 */
final class DataParallel implements AutoCloseable {

    private static final NDIndex ALL = new NDIndex("...");
    /** Elements moved per transfer: 64 Mi, so the transfer's temporaries stay near half a GiB. */
    static final long RUN_ELEMENTS = 1L << 26;

    private final PolicyUpdater updater;
    private final long runElements;
    private final List<Worker> workers = new ArrayList<>();
    private final ExecutorService threads;

    /**
     * Sets up a worker per device; the first device is {@code primary}'s, where the policy and optimizer live.
     *
     * @param devices the devices, the first being {@code primary}'s; a device listed twice gets two workers
     */
    DataParallel(List<Device> devices, NDManager primary, PolicyUpdater updater, DataType computeType) {
        this(devices, primary, updater, computeType, RUN_ELEMENTS);
    }

    /** As the main constructor, moving runs of about {@code runElements} elements. */
    DataParallel(List<Device> devices, NDManager primary, PolicyUpdater updater, DataType computeType,
            long runElements) {
        this.updater = updater;
        this.runElements = runElements;
        workers.add(new Worker(0, primary.getDevice(), primary, null, List.of()));
        for (int i = 1; i < devices.size(); i++) {
            workers.add(mirror(i, devices.get(i), primary.newSubManager(devices.get(i)), computeType));
        }
        this.threads = devices.size() == 1 ? null : Executors.newFixedThreadPool(devices.size() - 1, daemons());
        broadcastWeights();
    }

    /**
     * A worker whose weights are leaf views of one zeroed flat buffer per optimizer group; {@link #broadcastWeights}
     * fills them.
     */
    private Worker mirror(int index, Device device, NDManager manager, DataType computeType) {
        Map<String, NDArray> views = new LinkedHashMap<>();
        List<NDArray> flats = new ArrayList<>();
        for (AdamW.FlatGroup group : updater.flatGroups()) {
            NDArray flat = manager.zeros(group.weights().getShape(), computeType, device);
            flats.add(flat);
            long offset = 0;
            for (int m = 0; m < group.names().size(); m++) {
                String name = group.names().get(m);
                long size = group.sizes().get(m);
                NDArray view = flat.get(new NDIndex("{}:{}", offset, offset + size))
                        .reshape(updater.masters().get(name).getShape());
                view.attach(manager);
                view.setRequiresGradient(true);
                views.put(name, view);
                offset += size;
            }
        }
        return new Worker(index, device, manager, views, flats);
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
        NDManager primary = workers.get(0).manager();
        for (Worker worker : ran.subList(1, ran.size())) {
            for (AdamW.FlatGroup group : updater.flatGroups()) {
                forEachRun(group, runElements, (from, to, offset, length) -> {
                    try (NDManager scratch = primary.newSubManager()) {
                        NDList gradients = new NDList();
                        for (int m = from; m < to; m++) {
                            NDArray gradient = worker.mirrors().get(group.names().get(m)).getGradient();
                            gradient.attach(scratch);
                            gradients.add(gradient);
                        }
                        NDList flat = new NDList();
                        gradients.forEach(g -> flat.add(g.flatten()));
                        NDArray run = flat.size() == 1 ? flat.get(0) : NDArrays.concat(flat);
                        NDArray moved = run.toDevice(primary.getDevice(), false).toType(DataType.FLOAT32, false);
                        NDArray sum = group.gradients().get(new NDIndex("{}:{}", offset, offset + length));
                        sum.attach(scratch);
                        sum.addi(moved);
                        gradients.forEach(g -> g.set(ALL, 0f));
                    }
                });
            }
        }
    }

    /** Copies the current master weights out to every other worker (after each optimizer step). */
    void broadcastWeights() {
        for (Worker worker : workers.subList(1, workers.size())) {
            List<AdamW.FlatGroup> groups = updater.flatGroups();
            for (int g = 0; g < groups.size(); g++) {
                AdamW.FlatGroup group = groups.get(g);
                NDArray flat = worker.flats().get(g);
                forEachRun(group, runElements, (from, to, offset, length) -> {
                    try (NDManager scratch = worker.manager().newSubManager(); Autograd paused = Autograd.pause()) {
                        NDIndex range = new NDIndex("{}:{}", offset, offset + length);
                        NDArray master = group.weights().get(range);
                        master.attach(scratch);
                        NDArray fresh = DeviceArrays.copy(master, flat.getDataType(), worker.device());
                        fresh.attach(scratch);
                        flat.tempAttach(scratch);
                        flat.set(range, fresh);
                    }
                });
            }
        }
    }

    /**
     * Cuts a group's members into runs of whole tensors, each closed once it reaches {@code runElements} elements (a
     * larger tensor is a run of its own), and hands each run's member range and flat range on.
     */
    static void forEachRun(AdamW.FlatGroup group, long runElements, RunAction action) {
        int from = 0;
        long offset = 0;
        long length = 0;
        for (int m = 0; m < group.names().size(); m++) {
            length += group.sizes().get(m);
            if (length >= runElements || m == group.names().size() - 1) {
                action.run(from, m + 1, offset, length);
                from = m + 1;
                offset += length;
                length = 0;
            }
        }
    }

    /** What to do with one run of a flat group. */
    @FunctionalInterface
    interface RunAction {
        /** Members {@code from} (inclusive) to {@code to} (exclusive), elements {@code offset .. offset+length}. */
        void run(int from, int to, long offset, long length);
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
     * @param mirrors its copies of the policy's weights in the compute type, leaf views of {@code flats} (null for
     *     the primary)
     * @param flats one flat weight buffer per optimizer group, laid out as the optimizer's (empty for the primary)
     */
    record Worker(int index, Device device, NDManager manager, Map<String, NDArray> mirrors, List<NDArray> flats) {

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
