package dev.dpo4j.core.train;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.api.loss.LossFunction;
import dev.dpo4j.api.train.DpoMetrics;
import dev.dpo4j.api.train.TrainingListener;
import dev.dpo4j.api.train.TrainingPlan;
import dev.dpo4j.api.train.TrainingSummary;
import dev.dpo4j.core.checkpoint.CheckpointException;
import dev.dpo4j.core.checkpoint.TrainerState;
import dev.dpo4j.core.checkpoint.TrainingCheckpoint;
import dev.dpo4j.core.data.BatchOrder;
import dev.dpo4j.core.data.PairCollator;
import dev.dpo4j.core.data.PreparedData;
import dev.dpo4j.core.internal.step.PolicyOptimizer;
import dev.dpo4j.core.internal.step.Worker;
import dev.dpo4j.core.internal.step.Workers;
import dev.dpo4j.core.kernels.Kernels;
import dev.dpo4j.core.metrics.MetricsAccumulator;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.optim.LearningRateSchedule;
import dev.dpo4j.core.optim.LossScaler;
import dev.dpo4j.core.placement.StatePlacement;
import dev.dpo4j.core.reference.ReferenceLogps;
import dev.dpo4j.core.scoring.RecomputePlan;
import dev.dpo4j.core.tokenizer.TextTokenizer;
import dev.dpo4j.core.trained.TrainedModel;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One execution of {@link DpoTrainer#train()}: prepares the data, model, references, optimizer and workers, runs the
 * epochs and steps (logging, evaluating and saving on schedule), and frees everything at the end. The work of a
 * step is the workers' ({@link Worker}); the update is the optimizer's ({@link PolicyOptimizer}).
 */
final class TrainingRun implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);

    private final DpoTrainer trainer;
    private final DpoConfig config;
    private final LossFunction loss;
    private final NDManager manager;
    private final NDManager stateManager;
    private final TextTokenizer tokenizer;
    private final PairCollator collator;
    private final List<TrainingListener> listeners;
    private final DataType computeType;
    private final RunOutput output;
    private final RunRanks ranks;
    private final Kernels kernels;
    private TrainedModel model;
    private CausalLm policy;
    private StatePlacement placement;
    private PolicyOptimizer optimizer;
    private Workers workers;
    private PreparedData train;
    private PreparedData eval;
    private long globalStep;
    private long stepsPerEpoch;
    private long totalSteps;
    private MetricsAccumulator interval = new MetricsAccumulator();
    private LossScaler scaler;
    private DpoMetrics lastTrain;
    private DpoMetrics lastEval;
    /** The step of the last evaluation, in this run or (resumed) before its checkpoint; -1: none. */
    private long evaluatedStep = -1;

    /** @param trainer a trainer whose model sources are resolved to local folders */
    TrainingRun(DpoTrainer trainer) {
        this.trainer = trainer;
        this.config = trainer.config();
        this.loss = trainer.loss();
        this.output = new RunOutput(config, trainer.policy().tokenizerFiles());
        this.ranks = RunRanks.join(trainer);
        try {
            if (ranks.speaks()) {
                output.lock(); // one run per output folder: a second is refused before it touches anything
                output.checkOutputDir();
                output.deleteHalfWrittenCheckpoints();
                output.deleteInterruptedSaves();
            }
            ranks.barrier(); // the other ranks read the output folder once rank 0 has tidied it
            this.manager = trainer.newManager();
            this.stateManager = config.optimizer().offloadOptimizer() ? manager.newSubManager(Device.cpu())
                    : manager;
            this.tokenizer = trainer.policy().tokenizer();
            this.collator = new PairCollator(tokenizer.padId(), config.batching().padToMultipleOf(),
                    config.batching().sharePrompt(), config.loss().ldAlpha());
            this.listeners = trainer.listeners(config.outputDir(), ranks.speaks());
            this.kernels = Kernels.named(config.compute().kernels());
            this.computeType = config.compute().computeType(config.fp16(), kernels, trainer.devices());
        } catch (RuntimeException | Error e) {
            ranks.close();
            output.close();
            throw e;
        }
    }

    TrainingSummary execute() {
        long start = System.nanoTime();
        Path checkpoint = output.resumeCheckpoint();
        RunData data = RunData.prepare(trainer, tokenizer);
        train = data.train();
        eval = data.eval();
        String memory = RunMemory.check(trainer, computeType, train);
        model = TrainedModels.load(trainer, computeType, kernels, manager, stateManager,
                loss.needsReference() && trainer.referencePath() == null);
        policy = model.policy();
        References references = loss.needsReference() ? References.create(model, trainer.referencePath(),
                computeType, config, train, eval, collator, manager) : new References(null, null);
        placement = Placements.choose(config, model, ranks.collectives(), computeType, kernels, manager, stateManager);
        scaler = new LossScaler(config.fp16(), PolicyOptimizer.SCALE_GROWTH_INTERVAL);
        if (ranks.speaks()) {
            output.requireRoom(model.savedBytes(config.saving().saveDtype()), Placements.checkpointBytes(config, model));
        }
        if (checkpoint != null) {
            resume(checkpoint, references.train());
        }
        workers = Workers.create(trainer.devices(), manager, placement, model, references.train(), references.eval(),
                new Worker.Scoring(policy, loss, collator, computeType, RecomputePlan.forTraining(
                        config.gradientCheckpointing(), policy.config(), computeType, trainer.devices(),
                        model.trained().values()), config.loss().useWeighting()));
        optimizer = new PolicyOptimizer(placement, config.optimizer().maxGradNorm(), scaler, workers.views());
        totalSteps = totalSteps();
        OptimizerOptions o = config.optimizer();
        LearningRateSchedule schedule = new LearningRateSchedule(o.lrSchedulerType(), o.learningRate(),
                o.warmupSteps(), totalSteps);
        if (o.warmupSteps() > totalSteps) {
            LOG.warn("warmup_steps {} is longer than the run's {} steps: the learning rate never reaches learning_rate "
                    + "{} (at the last step it is {})", o.warmupSteps(), totalSteps, o.learningRate(),
                    schedule.rate(Math.max(0, totalSteps - 1)));
        }
        TrainingPlan plan = new TrainingPlan(train.pairs().size(), train.dropped(),
                eval == null ? 0 : eval.pairs().size(), epochs(totalSteps), totalSteps, globalStep,
                config.globalBatchSize(dataParallel()), dataParallel(), devicesText(),
                Placements.describe(computeType, kernels, config, placement, ranks.size()), memory);
        listeners.forEach(l -> l.onTrainingStart(plan));
        boolean cancelled = loop(schedule);
        if (eval != null && evaluatedStep != globalStep) {
            evaluate();
        }
        if (cancelled) {
            saveCheckpoint();
        }
        Path saved = ranks.speaks() ? output.saveModel(model) : config.outputDir();
        ranks.barrier(); // the run ends when its model is saved
        TrainingSummary summary = new TrainingSummary(globalStep, cancelled, (System.nanoTime() - start) / 1e9,
                lastTrain, lastEval, saved);
        listeners.forEach(l -> l.onTrainingEnd(summary));
        return summary;
    }

    /** The devices of this process, and how many ranks run such a share. */
    private String devicesText() {
        String devices = workers.all().stream().map(w -> w.device().toString()).collect(Collectors.joining(", "));
        return ranks.size() == 1 ? devices : ranks.size() + " ranks, rank 0 on " + devices;
    }

    /** Devices over all ranks: the number of micro-batches each step runs side by side. */
    private int dataParallel() {
        return trainer.devices().size() * ranks.size();
    }

    /**
     * Checks the checkpoint whole (its trainer state against its folder name, this run's data, seed, global batch and
     * planned steps; every tensor of the optimizer state and the moved reference from their headers), then restores
     * weights, moments, step, the open logging window and, with TR-DPO, the moved reference (before the workers copy
     * them); only then drops the metrics rows the resumed steps write again. A checkpoint that fails a check is
     * refused with its file named, before anything in the output folder is changed.
     */
    private void resume(Path checkpoint, ReferenceLogps reference) {
        TrainerState state = TrainerState.read(checkpoint);
        Path stateFile = checkpoint.resolve(TrainerState.FILE_NAME);
        if (state.seed() != config.seed() || state.trainPairs() != train.pairs().size()) {
            throw new CheckpointException(stateFile + ": was written with seed " + state.seed() + " and "
                    + state.trainPairs() + " training pairs, but this run has seed " + config.seed() + " and "
                    + train.pairs().size() + "; resume with the same data and seed");
        }
        int devices = dataParallel();
        int globalBatch = config.globalBatchSize(devices);
        if (state.globalBatchSize() != 0 && state.globalBatchSize() != globalBatch) {
            throw new CheckpointException(stateFile + ": was written with a global batch of "
                    + state.globalBatchSize() + " pairs per step, but this run has " + globalBatch + " ("
                    + config.batching().perDeviceTrainBatchSize() + " per device x "
                    + config.batching().gradientAccumulationSteps()
                    + " accumulation x " + devices + (ranks.size() > 1 ? " devices over " + ranks.size() + " ranks" : " devices")
                    + "); resume with the same global batch");
        }
        TrainingCheckpoint.checkStep(checkpoint, state, plannedSteps(devices));
        TrainingCheckpoint.checkOptimizer(checkpoint, placement);
        boolean restoreReference = config.reference().syncRefModel() && reference != null;
        if (restoreReference) {
            TrainingCheckpoint.checkReference(checkpoint, reference.weights());
        }
        model.restore(checkpoint, manager);
        TrainingCheckpoint.restoreOptimizer(checkpoint, placement, state, manager);
        if (restoreReference) {
            TrainingCheckpoint.restoreReference(checkpoint, reference.weights(), manager);
        }
        globalStep = state.globalStep();
        if (state.loggingWindow() != null && ranks.speaks()) { // saved summed over the ranks
            interval = new MetricsAccumulator(state.loggingWindow());
        }
        if (state.lastEvalStep() != null) {
            evaluatedStep = state.lastEvalStep();
        }
        if (state.lossScale() != null) {
            scaler.restore(state.lossScale());
        }
        // resuming a finished run whose checkpoint saw no evaluation at its step: the final evaluation is run again,
        // so the row the first run wrote for it after saving is dropped (an earlier run's final evaluation at a step
        // the resumed run trains past stays, as its record)
        boolean evaluatesAgain = eval != null && globalStep == plannedSteps(devices) && evaluatedStep != globalStep;
        if (ranks.speaks()) {
            output.dropMetricsAfter(globalStep, evaluatesAgain);
        }
    }

    /** Whether the reference model changes during training, so checkpoints must carry it. */
    private boolean movingReference() {
        return config.reference().syncRefModel() && workers.primary().trainReference() != null;
    }

    private long totalSteps() {
        long steps = plannedSteps(dataParallel());
        stepsPerEpoch = stepsPerEpoch(dataParallel());
        return steps;
    }

    /** The steps the run trains for on {@code devices} devices. */
    private long plannedSteps(int devices) {
        return config.maxSteps() > 0 ? config.maxSteps() : stepsPerEpoch(devices) * config.numTrainEpochs();
    }

    private long stepsPerEpoch(int devices) {
        int microBatches = (train.pairs().size() + config.batching().perDeviceTrainBatchSize() - 1)
                / config.batching().perDeviceTrainBatchSize();
        return BatchOrder.stepsPerEpoch(microBatches, config.batching().gradientAccumulationSteps() * devices);
    }

    /** Micro-batches per optimizer step: accumulation steps on each device. */
    private int microBatchesPerStep() {
        return config.batching().gradientAccumulationSteps() * dataParallel();
    }

    private int epochs(long steps) {
        return (int) ((steps + stepsPerEpoch - 1) / stepsPerEpoch);
    }

    /** Runs the remaining steps; returns whether training was cancelled. */
    private boolean loop(LearningRateSchedule schedule) {
        int accumulation = microBatchesPerStep();
        for (int epoch = (int) (globalStep / stepsPerEpoch); globalStep < totalSteps; epoch++) {
            BatchOptions batching = config.batching();
            List<int[]> order = BatchOrder.of(train.pairs().size(), batching.perDeviceTrainBatchSize(), config.seed(),
                    epoch, true, batching.groupByLength() ? train.lengths() : null);
            for (long s = globalStep - epoch * stepsPerEpoch; s < stepsPerEpoch && globalStep < totalSteps; s++) {
                int from = (int) (s * accumulation);
                step(order.subList(from, Math.min(order.size(), from + accumulation)), schedule);
                if (ranks.anyCancelled(trainer.cancelRequested())) {
                    return true;
                }
            }
            if (config.saving().saveStrategy() == SaveStrategy.EPOCH) {
                saveCheckpoint();
            }
        }
        return false;
    }

    /** One optimizer step over {@code microBatches}, then what the schedule asks for at the new step. */
    private void step(List<int[]> microBatches, LearningRateSchedule schedule) {
        int stepPairs = microBatches.stream().mapToInt(b -> b.length).sum();
        double rate = schedule.rate(globalStep);
        double gradNorm;
        try (PolicyOptimizer.Step step = optimizer.begin()) {
            List<int[]> mine = ranks.share(microBatches);
            workers.run(mine, (worker, batch) -> worker.train(train, batch,
                    step.lossFactor((double) batch.length / stepPairs)),
                    ran -> step.accumulate(ran.stream().map(Worker::weights).toList()))
                    .forEach(values -> values.addTo(interval));
            for (int idle = mine.size(); idle < ranks.microSteps(microBatches.size()); idle++) {
                step.idle();
            }
            gradNorm = step.apply(rate, globalStep + 1);
        }
        globalStep++;
        if (config.reference().syncRefModel() && globalStep % config.reference().refModelSyncSteps() == 0) {
            references().forEach(r -> r.syncTowards(policy.parameters(), config.reference().refModelMixupAlpha()));
        }
        long done = globalStep;
        listeners.forEach(l -> l.onStep(done, totalSteps));
        if (globalStep % config.loggingSteps() == 0) {
            lastTrain = new MetricsAccumulator(ranks.summed(interval.window())).toMetrics(globalStep, epoch(), rate,
                    gradNorm);
            interval = interval.next();
            listeners.forEach(l -> l.onLog(lastTrain));
        }
        if (eval != null && config.evalSteps() > 0 && globalStep % config.evalSteps() == 0) {
            evaluate();
        }
        if (config.saving().saveStrategy() == SaveStrategy.STEPS && globalStep % config.saving().saveSteps() == 0) {
            saveCheckpoint();
        }
    }

    /** Scores the eval set without building a graph and notifies listeners. */
    private void evaluate() {
        optimizer.publish();
        MetricsAccumulator totals = interval.forEvaluation();
        workers.run(ranks.share(BatchOrder.of(eval.pairs().size(), config.batching().perDeviceEvalBatchSize(), 0, 0,
                false)), (worker, batch) -> worker.evaluate(eval, batch), ran -> { })
                .forEach(values -> values.addTo(totals));
        lastEval = new MetricsAccumulator(ranks.summed(totals.window())).toMetrics(globalStep, epoch(), Double.NaN,
                Double.NaN);
        evaluatedStep = globalStep;
        listeners.forEach(l -> l.onEvaluation(lastEval));
    }

    private double epoch() {
        return (double) globalStep / stepsPerEpoch;
    }

    /** Writes a checkpoint: rank 0 writes it whole, collecting the other ranks' optimizer parts. */
    private void saveCheckpoint() {
        MetricsAccumulator.Window window = ranks.summed(interval.window());
        if (!ranks.speaks()) {
            output.stageOptimizerPart(globalStep, placement);
        }
        ranks.barrier();
        if (ranks.speaks()) {
            Path folder = output.saveCheckpoint(model, placement, new TrainerState(globalStep, epoch(),
                    config.seed(), train.pairs().size(), config.globalBatchSize(dataParallel()), window,
                    Math.max(0, evaluatedStep), scaler.state()),
                    movingReference() ? workers.primary().trainReference().weights() : null);
            long step = globalStep;
            listeners.forEach(l -> l.onCheckpoint(folder, step));
        }
        ranks.barrier();
    }

    /** Every worker's live reference, each once (a shared table is no model to move). */
    private Set<ReferenceLogps> references() {
        Set<ReferenceLogps> all = Collections.newSetFromMap(new IdentityHashMap<>());
        workers.all().forEach(w -> {
            all.add(w.trainReference());
            all.add(w.evalReference());
        });
        all.remove(null);
        return all;
    }

    @Override
    public void close() {
        try {
            listeners.stream().filter(l -> l instanceof AutoCloseable).forEach(l -> {
                try {
                    ((AutoCloseable) l).close();
                } catch (Exception e) {
                    LOG.warn("listener {} failed to close: {}", l, e.toString());
                }
            });
            if (workers != null) {
                workers.close();
            }
            if (placement != null) {
                placement.close();
            }
            if (model != null) {
                model.close();
            }
            tokenizer.close();
            manager.close();
        } finally {
            ranks.close();
            output.close(); // the output folder's lock, last
        }
    }
}
