package dev.dpo4j.core.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.dpo4j.api.loss.LossFunction;
import dev.dpo4j.api.loss.Scalars;
import dev.dpo4j.api.train.DpoMetrics;
import dev.dpo4j.api.train.TrainingListener;
import dev.dpo4j.api.train.TrainingPlan;
import dev.dpo4j.api.train.TrainingSummary;
import dev.dpo4j.core.checkpoint.CheckpointException;
import dev.dpo4j.core.checkpoint.ModelFolder;
import dev.dpo4j.core.checkpoint.TrainerState;
import dev.dpo4j.core.checkpoint.TrainingCheckpoint;
import dev.dpo4j.core.data.PairBatch;
import dev.dpo4j.core.data.PairCollator;
import dev.dpo4j.core.data.PairEncoder;
import dev.dpo4j.core.metrics.MetricsAccumulator;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.CompletionScorer;
import dev.dpo4j.core.model.Weights;
import dev.dpo4j.core.optim.AdamW;
import dev.dpo4j.core.optim.LearningRateSchedule;
import dev.dpo4j.core.tokenizer.TextTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One execution of {@link DpoTrainer#train()}: owns every resource of the run and frees them at the end. */
final class TrainingRun implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);

    private final DpoTrainer trainer;
    private final DpoTrainer.Builder settings;
    private final DpoConfig config;
    private final LossFunction loss;
    private final NDManager manager;
    private final TextTokenizer tokenizer;
    private final PairCollator collator;
    private final List<TrainingListener> listeners;
    private final DataType computeType;
    private PolicyUpdater updater;
    private CausalLm policy;
    private ReferenceLogps reference;
    private ReferenceLogps evalReference;
    private AdamW optimizer;
    private PreparedData train;
    private PreparedData eval;
    private long globalStep;
    private long stepsPerEpoch;
    private long totalSteps;
    private MetricsAccumulator interval = new MetricsAccumulator();
    private DpoMetrics lastTrain;
    private DpoMetrics lastEval;

    TrainingRun(DpoTrainer trainer) {
        this.trainer = trainer;
        this.settings = trainer.settings();
        this.config = trainer.config();
        this.loss = settings.loss();
        checkOutputDir();
        this.manager = settings.newManager();
        this.tokenizer = settings.loadTokenizer();
        this.collator = new PairCollator(tokenizer.padId(), config.padToMultipleOf());
        this.listeners = settings.listeners(config.outputDir());
        this.computeType = config.fp16() ? DataType.FLOAT16 : DataType.FLOAT32;
    }

    private void checkOutputDir() {
        Path out = config.outputDir();
        if (config.overwriteOutputDir() || config.resumeFromCheckpoint() != null || !Files.isDirectory(out)) {
            return;
        }
        try (Stream<Path> children = Files.list(out)) {
            if (children.findAny().isPresent()) {
                throw new IllegalArgumentException("output_dir " + out + " exists and is not empty; choose "
                        + "another, set overwrite_output_dir, or resume_from_checkpoint");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("output_dir " + out + ": cannot list: " + e.getMessage(), e);
        }
    }

    TrainingSummary execute() {
        long start = System.nanoTime();
        prepareData();
        policy = settings.loadModel(manager);
        if (loss.needsReference()) {
            createReferences();
        }
        optimizer = new AdamW(manager, policy.parameters(), config.adamBeta1(), config.adamBeta2(),
                config.adamEpsilon(), config.weightDecay());
        if (config.resumeFromCheckpoint() != null) {
            resume(config.resumeFromCheckpoint());
        }
        updater = new PolicyUpdater(policy, optimizer, computeType, config.maxGradNorm(), manager);
        totalSteps = totalSteps();
        LearningRateSchedule schedule = new LearningRateSchedule(config.lrSchedulerType(), config.learningRate(),
                config.warmupSteps(), totalSteps);
        TrainingPlan plan = new TrainingPlan(train.pairs().size(), train.dropped(),
                eval == null ? 0 : eval.pairs().size(), epochs(totalSteps), totalSteps, globalStep,
                config.globalBatchSize(1), manager.getDevice().toString(),
                config.fp16() ? "float16 (float32 master weights)" : "float32");
        listeners.forEach(l -> l.onTrainingStart(plan));
        boolean cancelled = loop(schedule);
        if (eval != null && (lastEval == null || lastEval.step() != globalStep)) {
            evaluate();
        }
        Path saved = saveFinal(cancelled);
        TrainingSummary summary = new TrainingSummary(globalStep, cancelled, (System.nanoTime() - start) / 1e9,
                lastTrain, lastEval, saved);
        listeners.forEach(l -> l.onTrainingEnd(summary));
        return summary;
    }

    private void prepareData() {
        PairEncoder encoder = new PairEncoder(settings.template(), tokenizer, config.maxLength(),
                config.maxPromptLength(), config.maxTargetLength());
        train = PreparedData.of(settings.trainData(), encoder);
        if (train.pairs().isEmpty()) {
            throw new IllegalArgumentException("no training pairs left: " + train.dropped()
                    + " were dropped for being longer than max_length=" + config.maxLength()
                    + (train.dropped() == 0 ? " (the training data is empty)" : ""));
        }
        if (train.dropped() > 0) {
            LOG.info("max_length={} dropped {} of {} training pairs", config.maxLength(), train.dropped(),
                    train.dropped() + train.pairs().size());
        }
        eval = settings.evalData() == null ? null : PreparedData.of(settings.evalData(), encoder);
        if (eval != null && eval.pairs().isEmpty()) {
            eval = null;
        }
    }

    /**
     * The reference: a frozen copy of the starting model (stored in the compute type, so float16 halves it), or
     * tables computed from it once and then freed.
     */
    private void createReferences() {
        ReferenceLogps live = ReferenceLogps.frozen(startingModelCopy(), computeType);
        if (!config.precomputeRefLogProbs()) {
            reference = live;
            evalReference = live;
            return;
        }
        reference = ReferenceLogps.precompute(live, train, collator, config.perDeviceEvalBatchSize(), manager);
        evalReference = eval == null ? null
                : ReferenceLogps.precompute(live, eval, collator, config.perDeviceEvalBatchSize(), manager);
        live.close();
    }

    private CausalLm startingModelCopy() {
        if (settings.modelPath() == null) {
            return policy.frozenCopy(computeType);
        }
        CausalLm loaded = ModelFolder.load(settings.modelPath(), manager);
        if (computeType == DataType.FLOAT32) {
            return loaded;
        }
        try (loaded) {
            return loaded.frozenCopy(computeType);
        }
    }

    private void resume(Path checkpoint) {
        TrainerState state = TrainingCheckpoint.restore(checkpoint, policy, optimizer, manager);
        if (state.seed() != config.seed() || state.trainPairs() != train.pairs().size()) {
            throw new CheckpointException(checkpoint + ": was written with seed " + state.seed() + " and "
                    + state.trainPairs() + " training pairs, but this run has seed " + config.seed() + " and "
                    + train.pairs().size() + "; resume with the same data and seed");
        }
        globalStep = state.globalStep();
    }

    private long totalSteps() {
        int microBatches = (train.pairs().size() + config.perDeviceTrainBatchSize() - 1)
                / config.perDeviceTrainBatchSize();
        stepsPerEpoch = BatchOrder.stepsPerEpoch(microBatches, config.gradientAccumulationSteps());
        return config.maxSteps() > 0 ? config.maxSteps() : stepsPerEpoch * config.numTrainEpochs();
    }

    private int epochs(long totalSteps) {
        return (int) ((totalSteps + stepsPerEpoch - 1) / stepsPerEpoch);
    }

    /** Runs the remaining steps; returns whether training was cancelled. */
    private boolean loop(LearningRateSchedule schedule) {
        int accumulation = config.gradientAccumulationSteps();
        for (int epoch = (int) (globalStep / stepsPerEpoch); globalStep < totalSteps; epoch++) {
            List<int[]> order = BatchOrder.of(train.pairs().size(), config.perDeviceTrainBatchSize(), config.seed(),
                    epoch, true, config.groupByLength() ? train.lengths() : null);
            for (long s = globalStep - epoch * stepsPerEpoch; s < stepsPerEpoch && globalStep < totalSteps; s++) {
                int from = (int) (s * accumulation);
                step(order.subList(from, Math.min(order.size(), from + accumulation)), schedule);
                if (trainer.cancelRequested()) {
                    return true;
                }
            }
            if (config.saveStrategy() == SaveStrategy.EPOCH) {
                saveCheckpoint();
            }
        }
        return false;
    }

    private void step(List<int[]> microBatches, LearningRateSchedule schedule) {
        int stepPairs = microBatches.stream().mapToInt(b -> b.length).sum();
        double rate = schedule.rate(globalStep);
        double gradNorm;
        try (NDManager scope = manager.newSubManager()) {
            updater.beginStep();
            for (int[] batch : microBatches) {
                forwardBackward(batch, (double) batch.length / stepPairs, scope);
            }
            gradNorm = updater.step(rate, globalStep + 1, scope);
        }
        globalStep++;
        long step = globalStep;
        listeners.forEach(l -> l.onStep(step, totalSteps));
        if (globalStep % config.loggingSteps() == 0) {
            lastTrain = interval.toMetrics(globalStep, epoch(), rate, gradNorm);
            interval = new MetricsAccumulator();
            listeners.forEach(l -> l.onLog(lastTrain));
        }
        if (eval != null && config.evalSteps() > 0 && globalStep % config.evalSteps() == 0) {
            evaluate();
        }
        if (config.saveStrategy() == SaveStrategy.STEPS && globalStep % config.saveSteps() == 0) {
            saveCheckpoint();
        }
    }

    /**
     * Forward and backward of one micro-batch; its loss is weighted by its share of the step's pairs. Everything it
     * creates lives in a manager of its own, so accumulating many micro-batches holds one micro-batch's arrays at a
     * time (the gradients live in the optimizer).
     */
    private void forwardBackward(int[] batch, double weight, NDManager step) {
        try (NDManager scope = step.newSubManager()) {
            runMicroBatch(batch, weight, scope);
        }
    }

    private void runMicroBatch(int[] batch, double weight, NDManager scope) {
        PairBatch pairs = collator.collate(train.select(batch));
        PairBatch.Arrays arrays = pairs.toArrays(scope);
        NDArray referenceLogps = reference == null ? null : reference.logps(batch, arrays, scope);
        Weights weights = updater.weights();
        double factor = weight * updater.lossScale();
        if (config.gradientCheckpointing()) {
            CheckpointedPass.run(policy, arrays, weights, computeType, scope, factor,
                    CheckpointedPass.HEAD_CHUNK_ELEMENTS,
                    scores -> MicroBatchOutcome.of(loss, scores, referenceLogps, arrays, batch.length))
                    .addTo(interval, pairs.policyTokens());
        } else {
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                CompletionScorer.Scores scores = CompletionScorer.score(policy, arrays, weights, computeType);
                MicroBatchOutcome outcome = MicroBatchOutcome.of(loss, scores, referenceLogps, arrays,
                        batch.length);
                NDArray mean = outcome.output().losses().mean();
                collector.backward(mean.mul(Scalars.of(mean, factor)));
                outcome.addTo(interval, pairs.policyTokens());
            }
        }
        updater.afterBackward();
    }

    /** Scores the eval set without building a graph and notifies listeners. */
    DpoMetrics evaluate() {
        MetricsAccumulator totals = new MetricsAccumulator();
        for (int[] batch : BatchOrder.of(eval.pairs().size(), config.perDeviceEvalBatchSize(), 0, 0, false)) {
            try (NDManager scope = manager.newSubManager()) {
                PairBatch pairs = collator.collate(eval.select(batch));
                PairBatch.Arrays arrays = pairs.toArrays(scope);
                NDArray referenceLogps = evalReference == null ? null : evalReference.logps(batch, arrays, scope);
                CompletionScorer.Scores scores = CompletionScorer.score(policy, arrays,
                        policy.weightsIn(computeType, scope), computeType);
                MicroBatchOutcome.of(loss, scores, referenceLogps, arrays, batch.length).addTo(totals, pairs.policyTokens());
            }
        }
        lastEval = totals.toMetrics(globalStep, epoch(), Double.NaN, Double.NaN);
        listeners.forEach(l -> l.onEvaluation(lastEval));
        return lastEval;
    }

    private double epoch() {
        return (double) globalStep / stepsPerEpoch;
    }

    private void saveCheckpoint() {
        try {
            Path folder = TrainingCheckpoint.save(config.outputDir(), policy, optimizer,
                    new TrainerState(globalStep, epoch(), config.seed(), train.pairs().size()),
                    settings.tokenizerFiles());
            long step = globalStep;
            listeners.forEach(l -> l.onCheckpoint(folder, step));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint into " + config.outputDir() + ": "
                    + e.getMessage(), e);
        }
    }

    private Path saveFinal(boolean cancelled) {
        if (cancelled) {
            saveCheckpoint();
        }
        try {
            ModelFolder.save(policy, config.outputDir(), settings.tokenizerFiles());
            return config.outputDir();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the model into " + config.outputDir() + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        listeners.stream().filter(l -> l instanceof AutoCloseable).forEach(l -> {
            try {
                ((AutoCloseable) l).close();
            } catch (Exception e) {
                LOG.warn("listener {} failed to close: {}", l, e.toString());
            }
        });
        if (reference != null) {
            reference.close();
        }
        if (evalReference != null && evalReference != reference) {
            evalReference.close();
        }
        if (optimizer != null) {
            optimizer.close();
        }
        if (updater != null) {
            updater.close();
        }
        if (settings.modelPath() != null && policy != null) {
            policy.close();
        }
        tokenizer.close();
        manager.close();
    }
}
