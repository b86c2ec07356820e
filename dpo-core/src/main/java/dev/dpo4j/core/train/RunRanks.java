package dev.dpo4j.core.train;

import dev.dpo4j.core.distributed.Collectives;
import dev.dpo4j.core.distributed.RankEnvironment;
import dev.dpo4j.core.metrics.MetricsAccumulator;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * This process's place among the ranks of a data-parallel run, and what the run does differently for it: its share of
 * each step's micro-batches (rank {@code r} of {@code n} takes micro-batches {@code r, r + n, ...}, as the devices of
 * one process deal them), metrics summed over the ranks, a stop agreed by all, and whether it speaks for the run
 * (rank 0 writes the output folder, the metrics and the model). A process alone is rank 0 of 1.
 */
final class RunRanks implements AutoCloseable {

    private final Collectives collectives;
    private final boolean owned;

    private RunRanks(Collectives collectives, boolean owned) {
        this.collectives = collectives;
        this.owned = owned;
    }

    /**
     * The trainer's ranks: those given to {@code ranks(...)}, else those torchrun's variables describe (joined now, on
     * the run's device), else this process alone.
     */
    static RunRanks join(DpoTrainer trainer) {
        if (trainer.ranks() != null) {
            return new RunRanks(trainer.ranks(), false);
        }
        RankEnvironment environment = trainer.rankEnvironment();
        if (environment == null) {
            return new RunRanks(Collectives.single(), true);
        }
        Duration timeout = Duration.ofSeconds(trainer.config().compute().ddpTimeout());
        return new RunRanks(Collectives.connect(environment, trainer.devices().get(0), timeout), true);
    }

    /** The collectives among the ranks. */
    Collectives collectives() {
        return collectives;
    }

    int rank() {
        return collectives.rank();
    }

    /** The number of ranks. */
    int size() {
        return collectives.worldSize();
    }

    /** Whether this rank speaks for the run: writes its output folder, metrics and model. */
    boolean speaks() {
        return collectives.rank() == 0;
    }

    /** This rank's micro-batches of a step's (or an evaluation's): those at {@code rank, rank + size, ...}. */
    <T> List<T> share(List<T> microBatches) {
        List<T> mine = new ArrayList<>();
        for (int i = rank(); i < microBatches.size(); i += size()) {
            mine.add(microBatches.get(i));
        }
        return mine;
    }

    /** Micro-steps of a step of {@code microBatches}: the most any rank's share holds. */
    int microSteps(int microBatches) {
        return (microBatches + size() - 1) / size();
    }

    /**
     * The sums of every rank's window (each rank's own on one process): counts and sums added, the time the longest
     * window's, so the throughput is the run's.
     */
    MetricsAccumulator.Window summed(MetricsAccumulator.Window window) {
        if (size() == 1) {
            return window;
        }
        RecordComponent[] components = MetricsAccumulator.Window.class.getRecordComponents();
        double[] values = new double[components.length];
        for (int i = 0; i < components.length; i++) {
            values[i] = ((Number) read(components[i], window)).doubleValue();
        }
        double[] all = collectives.allGather(values);
        Object[] arguments = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            double sum = 0;
            for (int r = 0; r < size(); r++) {
                double value = all[r * components.length + i];
                sum = components[i].getName().equals("seconds") ? Math.max(sum, value) : sum + value;
            }
            types[i] = components[i].getType();
            arguments[i] = types[i] == long.class ? (Object) Math.round(sum) : (Object) sum;
        }
        try {
            return MetricsAccumulator.Window.class.getDeclaredConstructor(types).newInstance(arguments);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot sum the metrics window over the ranks", e);
        }
    }

    private static Object read(RecordComponent component, Object record) {
        try {
            return component.getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + component.getName(), e);
        }
    }

    /** Whether any rank was asked to stop: every rank stops at the same step. */
    boolean anyCancelled(boolean cancelled) {
        if (size() == 1) {
            return cancelled;
        }
        double[] flag = {cancelled ? 1 : 0};
        collectives.allReduceSum(flag);
        return flag[0] > 0;
    }

    /** Returns once every rank has reached it. */
    void barrier() {
        if (size() > 1) {
            collectives.barrier();
        }
    }

    /** Leaves the ranks this run joined itself. */
    @Override
    public void close() {
        if (owned) {
            collectives.close();
        }
    }
}
