package dev.dpo4j.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
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
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
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
    private DataParallel parallel;
    private CausalLm policy;
    private ReferenceLogps reference;
    private ReferenceLogps evalReference;
    private ReferenceLogps[] references;
    private ReferenceLogps[] evalReferences;
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
        parallel = new DataParallel(settings.devices(), manager, updater, computeType);
        spreadReferences();
        totalSteps = totalSteps();
        LearningRateSchedule schedule = new LearningRateSchedule(config.lrSchedulerType(), config.learningRate(),
                config.warmupSteps(), totalSteps);
        TrainingPlan plan = new TrainingPlan(train.pairs().size(), train.dropped(),
                eval == null ? 0 : eval.pairs().size(), epochs(totalSteps), totalSteps, globalStep,
                config.globalBatchSize(parallel.size()), parallel.size(), parallel.workers().stream()
                .map(w -> w.device().toString()).collect(Collectors.joining(", ")),
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

    /** Gives every other device the reference: its own frozen copy, or the shared table. */
    private void spreadReferences() {
        references = new ReferenceLogps[parallel.size()];
        evalReferences = new ReferenceLogps[parallel.size()];
        references[0] = reference;
        evalReferences[0] = evalReference;
        for (DataParallel.Worker worker : parallel.workers().subList(1, parallel.size())) {
            int i = worker.index();
            references[i] = reference == null ? null : reference.on(worker.manager());
            evalReferences[i] = evalReference == reference ? references[i]
                    : evalReference == null ? null : evalReference.on(worker.manager());
        }
    }

    /** The reference model: the given reference folder, else the starting policy (reloaded or copied). */
    private CausalLm startingModelCopy() {
        Path source = settings.referencePath() != null ? settings.referencePath() : settings.modelPath();
        if (source == null) {
            return policy.frozenCopy(computeType);
        }
        CausalLm loaded = ModelFolder.load(source, manager);
        if (loaded.config().vocabSize() != policy.config().vocabSize()) {
            int vocab = loaded.config().vocabSize();
            loaded.close();
            throw new IllegalArgumentException("reference model " + source + " has vocab_size " + vocab
                    + " but the policy has " + policy.config().vocabSize() + "; the two must share a tokenizer");
        }
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
        int globalBatch = config.globalBatchSize(settings.devices().size());
        if (state.globalBatchSize() != 0 && state.globalBatchSize() != globalBatch) {
            throw new CheckpointException(checkpoint + ": was written with a global batch of "
                    + state.globalBatchSize() + " pairs per step, but this run has " + globalBatch + " ("
                    + config.perDeviceTrainBatchSize() + " per device x " + config.gradientAccumulationSteps()
                    + " accumulation x " + settings.devices().size() + " devices); resume with the same global batch");
        }
        globalStep = state.globalStep();
        if (movingReference()) {
            TrainingCheckpoint.restoreReference(checkpoint, reference.weights(), manager);
        }
    }

    /** Whether the reference model changes during training, so checkpoints must carry it. */
    private boolean movingReference() {
        return config.syncRefModel() && reference != null;
    }

    private long totalSteps() {
        int microBatches = (train.pairs().size() + config.perDeviceTrainBatchSize() - 1)
                / config.perDeviceTrainBatchSize();
        stepsPerEpoch = BatchOrder.stepsPerEpoch(microBatches, microBatchesPerStep());
        return config.maxSteps() > 0 ? config.maxSteps() : stepsPerEpoch * config.numTrainEpochs();
    }

    /** Micro-batches per optimizer step: accumulation steps on each device. */
    private int microBatchesPerStep() {
        return config.gradientAccumulationSteps() * parallel.size();
    }

    private int epochs(long totalSteps) {
        return (int) ((totalSteps + stepsPerEpoch - 1) / stepsPerEpoch);
    }

    /** Runs the remaining steps; returns whether training was cancelled. */
    private boolean loop(LearningRateSchedule schedule) {
        int accumulation = microBatchesPerStep();
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
            parallel.run(microBatches, (worker, batch) -> forwardBackward(worker, batch, (double) batch.length
                    / stepPairs), parallel::reduceGradients).forEach(values -> values.addTo(interval));
            gradNorm = updater.step(rate, globalStep + 1, scope);
        }
        parallel.broadcastWeights();
        globalStep++;
        if (config.syncRefModel() && globalStep % config.refModelSyncSteps() == 0) {
            allReferences().forEach(r -> r.syncTowards(policy.parameters(), config.refModelMixupAlpha()));
        }
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
     * Forward and backward of one micro-batch on a worker; its loss is weighted by its share of the step's pairs.
     * Everything it creates lives in a manager of its own, so accumulating many micro-batches holds one micro-batch's
     * arrays at a time (the gradients live in the optimizer).
     */
    private MicroBatchOutcome.Values forwardBackward(DataParallel.Worker worker, int[] batch, double weight) {
        try (NDManager scope = worker.manager().newSubManager()) {
            MicroBatchOutcome.Values values = runMicroBatch(worker, batch, weight, scope);
            if (worker.index() == 0) {
                updater.afterBackward();
            }
            return values;
        }
    }

    private MicroBatchOutcome.Values runMicroBatch(DataParallel.Worker worker, int[] batch, double weight,
            NDManager scope) {
        PairBatch pairs = collator.collate(train.select(batch));
        PairBatch.Arrays arrays = pairs.toArrays(scope);
        ReferenceLogps workerReference = references[worker.index()];
        NDArray referenceLogps = workerReference == null ? null : workerReference.logps(batch, arrays, scope);
        Weights weights = worker.weights(updater);
        double factor = weight * updater.lossScale();
        if (config.gradientCheckpointing()) {
            return CheckpointedPass.run(policy, arrays, weights, computeType, scope, factor,
                    CheckpointedPass.HEAD_CHUNK_ELEMENTS,
                    scores -> MicroBatchOutcome.of(loss, scores, referenceLogps, arrays, batch.length))
                    .values(pairs.policyTokens());
        }
        try (Autograd recording = Autograd.record()) {
            CompletionScorer.Scores scores = CompletionScorer.score(policy, arrays, weights, computeType);
            MicroBatchOutcome outcome = MicroBatchOutcome.of(loss, scores, referenceLogps, arrays, batch.length);
            NDArray mean = outcome.output().losses().mean();
            Autograd.backward(mean.mul(Scalars.of(mean, factor)));
            return outcome.values(pairs.policyTokens());
        }
    }

    /** Scores the eval set without building a graph and notifies listeners. */
    DpoMetrics evaluate() {
        MetricsAccumulator totals = new MetricsAccumulator();
        parallel.run(BatchOrder.of(eval.pairs().size(), config.perDeviceEvalBatchSize(), 0, 0, false),
                this::evaluateBatch, ran -> { }).forEach(values -> values.addTo(totals));
        lastEval = totals.toMetrics(globalStep, epoch(), Double.NaN, Double.NaN);
        listeners.forEach(l -> l.onEvaluation(lastEval));
        return lastEval;
    }

    private MicroBatchOutcome.Values evaluateBatch(DataParallel.Worker worker, int[] batch) {
        try (NDManager scope = worker.manager().newSubManager()) {
            PairBatch pairs = collator.collate(eval.select(batch));
            PairBatch.Arrays arrays = pairs.toArrays(scope);
            ReferenceLogps workerReference = evalReferences[worker.index()];
            NDArray referenceLogps = workerReference == null ? null : workerReference.logps(batch, arrays, scope);
            Weights weights = worker.index() == 0 ? policy.weightsIn(computeType, scope) : worker.weights(updater);
            CompletionScorer.Scores scores = CompletionScorer.score(policy, arrays, weights, computeType);
            return MicroBatchOutcome.of(loss, scores, referenceLogps, arrays, batch.length)
                    .values(pairs.policyTokens());
        }
    }

    private double epoch() {
        return (double) globalStep / stepsPerEpoch;
    }

    private void saveCheckpoint() {
        try {
            Path folder = TrainingCheckpoint.save(config.outputDir(), policy, optimizer,
                    new TrainerState(globalStep, epoch(), config.seed(), train.pairs().size(),
                            config.globalBatchSize(parallel.size())),
                    settings.tokenizerFiles(), movingReference() ? reference.weights() : null);
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
            ModelFolder.save(policy, config.outputDir(), settings.tokenizerFiles(), config.saveDtype());
            return config.outputDir();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the model into " + config.outputDir() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Every reference of the run, each once: the primary's train and eval references and the other devices'. */
    private Set<ReferenceLogps> allReferences() {
        Set<ReferenceLogps> all = Collections.newSetFromMap(new IdentityHashMap<>());
        all.add(reference);
        all.add(evalReference);
        if (references != null) {
            all.addAll(java.util.Arrays.asList(references));
            all.addAll(java.util.Arrays.asList(evalReferences));
        }
        all.remove(null);
        return all;
    }

    private void closeReferences() {
        allReferences().forEach(ReferenceLogps::close);
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
        closeReferences();
        if (parallel != null) {
            parallel.close();
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
