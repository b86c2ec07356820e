package dev.dpo4j.core.train;

import dev.dpo4j.core.checkpoint.SaveDtype;
import dev.dpo4j.api.options.Problems;
import dev.dpo4j.core.lora.LoraOptions;
import dev.dpo4j.core.loss.LossConfig;
import dev.dpo4j.core.optim.LearningRateSchedule;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The option setters shared by {@link DpoConfig.Builder} and {@link DpoTrainer.Builder}, flat as TRL's keyword
 * arguments, starting from the defaults the option records declare; the loss's are in {@link LossSetters}.
 *
 * @param <B> the concrete builder
 */
public abstract class ConfigBuilder<B extends ConfigBuilder<B>> extends LossSetters<B> {
    private static final OptimizerOptions OPTIMIZER = OptimizerOptions.DEFAULTS;
    private static final BatchOptions BATCH = BatchOptions.DEFAULTS;
    private static final SaveOptions SAVE = SaveOptions.DEFAULTS;
    private static final ReferenceOptions REFERENCE = ReferenceOptions.DEFAULTS;
    private static final ComputeOptions COMPUTE = ComputeOptions.DEFAULTS;
    private static final ReportOptions REPORT = ReportOptions.DEFAULTS;
    private static final LoraOptions LORA = LoraOptions.DEFAULTS;

    private Path outputDir;
    private boolean overwriteOutputDir;
    private double learningRate = OPTIMIZER.learningRate();
    private LearningRateSchedule.Type lrSchedulerType = OPTIMIZER.lrSchedulerType();
    private long warmupSteps = OPTIMIZER.warmupSteps();
    private double weightDecay = OPTIMIZER.weightDecay();
    private double adamBeta1 = OPTIMIZER.adamBeta1();
    private double adamBeta2 = OPTIMIZER.adamBeta2();
    private double adamEpsilon = OPTIMIZER.adamEpsilon();
    private double maxGradNorm = OPTIMIZER.maxGradNorm();
    private int perDeviceTrainBatchSize = BATCH.perDeviceTrainBatchSize();
    private int perDeviceEvalBatchSize = BATCH.perDeviceEvalBatchSize();
    private int gradientAccumulationSteps = BATCH.gradientAccumulationSteps();
    private int maxLength = BATCH.maxLength();
    private int maxPromptLength = BATCH.maxPromptLength();
    private int maxTargetLength = BATCH.maxTargetLength();
    private int padToMultipleOf = BATCH.padToMultipleOf();
    private boolean groupByLength = BATCH.groupByLength();
    private boolean sharePrompt = BATCH.sharePrompt();
    private SaveStrategy saveStrategy = SAVE.saveStrategy();
    private long saveSteps = SAVE.saveSteps();
    private SaveDtype saveDtype = SAVE.saveDtype();
    private int saveTotalLimit = SAVE.saveTotalLimit();
    private boolean precomputeRefLogProbs = REFERENCE.precomputeRefLogProbs();
    private boolean syncRefModel = REFERENCE.syncRefModel();
    private double refModelMixupAlpha = REFERENCE.refModelMixupAlpha();
    private long refModelSyncSteps = REFERENCE.refModelSyncSteps();
    private int numTrainEpochs = 1;
    private long maxSteps = -1;
    private long evalSteps;
    private long loggingSteps = 10;
    private long seed = 42;
    private boolean fp16;
    private Boolean gradientCheckpointing;
    private Boolean bf16 = COMPUTE.bf16();
    private String kernels = COMPUTE.kernels();
    private boolean usePeft = LORA.usePeft();
    private int loraR = LORA.loraR();
    private int loraAlpha = LORA.loraAlpha();
    private double loraDropout = LORA.loraDropout();
    private List<String> loraTargetModules = LORA.loraTargetModules();
    private boolean useRslora = LORA.useRslora();
    private boolean mergeAdapters = LORA.mergeAdapters();
    private boolean disableDropout = LORA.disableDropout();
    private Path resumeFromCheckpoint;
    private boolean resumeFromOutputDir;
    private List<String> reportTo = REPORT.names();

    /** Copies every option from an existing config. */
    public B config(DpoConfig c) {
        outputDir = c.outputDir();
        overwriteOutputDir = c.overwriteOutputDir();
        copyLoss(c.loss());
        OptimizerOptions o = c.optimizer();
        learningRate = o.learningRate();
        lrSchedulerType = o.lrSchedulerType();
        warmupSteps = o.warmupSteps();
        weightDecay = o.weightDecay();
        adamBeta1 = o.adamBeta1();
        adamBeta2 = o.adamBeta2();
        adamEpsilon = o.adamEpsilon();
        maxGradNorm = o.maxGradNorm();
        BatchOptions b = c.batching();
        perDeviceTrainBatchSize = b.perDeviceTrainBatchSize();
        perDeviceEvalBatchSize = b.perDeviceEvalBatchSize();
        gradientAccumulationSteps = b.gradientAccumulationSteps();
        maxLength = b.maxLength();
        maxPromptLength = b.maxPromptLength();
        maxTargetLength = b.maxTargetLength();
        padToMultipleOf = b.padToMultipleOf();
        groupByLength = b.groupByLength();
        sharePrompt = b.sharePrompt();
        saveStrategy = c.saving().saveStrategy();
        saveSteps = c.saving().saveSteps();
        saveDtype = c.saving().saveDtype();
        saveTotalLimit = c.saving().saveTotalLimit();
        ReferenceOptions r = c.reference();
        precomputeRefLogProbs = r.precomputeRefLogProbs();
        syncRefModel = r.syncRefModel();
        refModelMixupAlpha = r.refModelMixupAlpha();
        refModelSyncSteps = r.refModelSyncSteps();
        numTrainEpochs = c.numTrainEpochs();
        maxSteps = c.maxSteps();
        evalSteps = c.evalSteps();
        loggingSteps = c.loggingSteps();
        seed = c.seed();
        fp16 = c.fp16();
        gradientCheckpointing = c.gradientCheckpointing();
        bf16 = c.compute().bf16();
        kernels = c.compute().kernels();
        lora(c.lora());
        resumeFromCheckpoint = c.resumeFromCheckpoint();
        resumeFromOutputDir = false;
        reportTo = c.reporting().names();
        return self();
    }

    /** Where the trained model, checkpoints and metrics go (required). */
    public B outputDir(Path value) {
        outputDir = value;
        return self();
    }

    /** Allow writing into a non-empty output folder. */
    public B overwriteOutputDir(boolean value) {
        overwriteOutputDir = value;
        return self();
    }

    /** The peak learning rate. */
    public B learningRate(double value) {
        learningRate = value;
        return self();
    }

    /** Number of epochs. */
    public B numTrainEpochs(int value) {
        numTrainEpochs = value;
        return self();
    }

    /** Stop after this many optimizer steps (0 or less: all epochs). */
    public B maxSteps(long value) {
        maxSteps = value;
        return self();
    }

    /** Linear warmup steps. */
    public B warmupSteps(long value) {
        warmupSteps = value;
        return self();
    }

    /** Decay after warmup: linear, cosine or constant. */
    public B lrSchedulerType(LearningRateSchedule.Type value) {
        lrSchedulerType = value;
        return self();
    }

    /** Pairs per device per training forward pass. */
    public B perDeviceTrainBatchSize(int value) {
        perDeviceTrainBatchSize = value;
        return self();
    }

    /** Pairs per device per evaluation forward pass. */
    public B perDeviceEvalBatchSize(int value) {
        perDeviceEvalBatchSize = value;
        return self();
    }

    /** Micro-batches accumulated into one optimizer step. */
    public B gradientAccumulationSteps(int value) {
        gradientAccumulationSteps = value;
        return self();
    }

    /** Drop pairs longer than this many tokens (0: no limit). */
    public B maxLength(int value) {
        maxLength = value;
        return self();
    }

    /** Truncate prompts from the left to this many tokens (0: no limit). */
    public B maxPromptLength(int value) {
        maxPromptLength = value;
        return self();
    }

    /** Truncate completions from the right to this many tokens (0: no limit). */
    public B maxTargetLength(int value) {
        maxTargetLength = value;
        return self();
    }

    /** Round padded batch lengths up to a multiple of this. */
    public B padToMultipleOf(int value) {
        padToMultipleOf = value;
        return self();
    }

    /** When to write checkpoints. */
    public B saveStrategy(SaveStrategy value) {
        saveStrategy = value;
        return self();
    }

    /** Checkpoint interval for {@link SaveStrategy#STEPS}. */
    public B saveSteps(long value) {
        saveSteps = value;
        return self();
    }

    /**
     * Keep only the newest this many {@code checkpoint-N} folders, deleting older ones once a new one is complete
     * (TRL's {@code save_total_limit}; null or 0: keep all).
     */
    public B saveTotalLimit(Integer value) {
        saveTotalLimit = value == null ? 0 : value;
        return self();
    }

    /** Evaluate every this many steps (0: at the end only). */
    public B evalSteps(long value) {
        evalSteps = value;
        return self();
    }

    /** Log metrics every this many steps. */
    public B loggingSteps(long value) {
        loggingSteps = value;
        return self();
    }

    /** Seed of initialization and data order. */
    public B seed(long value) {
        seed = value;
        return self();
    }

    /** Global gradient-norm clipping threshold (0: none). */
    public B maxGradNorm(double value) {
        maxGradNorm = value;
        return self();
    }

    /** AdamW decoupled weight decay. */
    public B weightDecay(double value) {
        weightDecay = value;
        return self();
    }

    /** AdamW beta1. */
    public B adamBeta1(double value) {
        adamBeta1 = value;
        return self();
    }

    /** AdamW beta2. */
    public B adamBeta2(double value) {
        adamBeta2 = value;
        return self();
    }

    /** AdamW epsilon. */
    public B adamEpsilon(double value) {
        adamEpsilon = value;
        return self();
    }

    /** Precompute reference log-probs once and free the reference model. */
    public B precomputeRefLogProbs(boolean value) {
        precomputeRefLogProbs = value;
        return self();
    }

    /**
     * TR-DPO (Gorbatovski et al. 2024, arXiv:2404.09656): every {@code refModelSyncSteps} steps the reference
     * moves towards the policy, {@code ref = alpha * pi + (1 - alpha) * ref}, as TRL's {@code sync_ref_model}.
     */
    public B syncRefModel(boolean value) {
        syncRefModel = value;
        return self();
    }

    /** The policy's share alpha in each reference update (TRL's {@code ref_model_mixup_alpha}, default 0.6). */
    public B refModelMixupAlpha(double value) {
        refModelMixupAlpha = value;
        return self();
    }

    /** Steps between reference updates (TRL's {@code ref_model_sync_steps}, default 512). */
    public B refModelSyncSteps(long value) {
        refModelSyncSteps = value;
        return self();
    }

    /**
     * Resume from this checkpoint folder, or from the newest complete {@code checkpoint-N} inside this folder (the
     * output folder of an earlier run); null: start fresh.
     */
    public B resumeFromCheckpoint(Path value) {
        resumeFromCheckpoint = value;
        resumeFromOutputDir = false;
        return self();
    }

    /**
     * TRL's string form: {@code true} or {@code last} resumes from the newest checkpoint in the output folder,
     * {@code false}, empty or null starts fresh, anything else is a folder as in {@link #resumeFromCheckpoint(Path)}.
     */
    public B resumeFromCheckpoint(String value) {
        String v = value == null ? "" : value.strip();
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("last")) {
            return resumeFromCheckpoint(true);
        }
        return resumeFromCheckpoint(v.isEmpty() || v.equalsIgnoreCase("false") ? null : Path.of(v));
    }

    /** true: resume from the newest checkpoint in the output folder (TRL's {@code True}); false: start fresh. */
    public B resumeFromCheckpoint(boolean value) {
        resumeFromCheckpoint = null;
        resumeFromOutputDir = value;
        return self();
    }

    /** Float16 compute with float32 master weights and dynamic loss scaling (for GPUs). */
    public B fp16(boolean value) {
        fp16 = value;
        return self();
    }

    /**
     * bfloat16 compute with float32 master weights and no loss scaling (true), float32 or fp16 (false), or null for
     * the default: bfloat16 on a GPU that has it, with the TorchScript kernels, unless {@link #fp16} is on.
     */
    public B bf16(Boolean value) {
        bf16 = value;
        return self();
    }

    /**
     * The kernels: {@code auto} (the TorchScript kernels wherever they load, else the pure-DJL ones),
     * {@code torchscript} (fail when they do not load) or {@code djl}.
     */
    public B kernels(String value) {
        kernels = value;
        return self();
    }

    /** Every LoRA option at once, as {@code LoraOptions.enabled().withR(16).withTargetModules("all-linear")}. */
    public B lora(LoraOptions value) {
        usePeft = value.usePeft();
        loraR = value.loraR();
        loraAlpha = value.loraAlpha();
        loraDropout = value.loraDropout();
        loraTargetModules = value.loraTargetModules();
        useRslora = value.useRslora();
        mergeAdapters = value.mergeAdapters();
        disableDropout = value.disableDropout();
        return self();
    }

    /** Train LoRA adapters on the frozen base instead of every weight ({@link LoraOptions}). */
    public B usePeft(boolean value) {
        usePeft = value;
        return self();
    }

    /** The adapters' rank (16). */
    public B loraR(int value) {
        loraR = value;
        return self();
    }

    /** The adapters' scale numerator (32): the update is {@code (alpha / r) B A x}. */
    public B loraAlpha(int value) {
        loraAlpha = value;
        return self();
    }

    /** Dropout on the adapters' input while training (0.05), in effect when {@link #disableDropout} is off. */
    public B loraDropout(double value) {
        loraDropout = value;
        return self();
    }

    /** The linear layers that get adapters: names or suffixes such as {@code q_proj}, or {@code all-linear}. */
    public B loraTargetModules(List<String> value) {
        loraTargetModules = value == null ? null : Collections.unmodifiableList(new ArrayList<>(value));
        return self();
    }

    /** Rank-stabilized scaling, {@code alpha / sqrt(r)}. */
    public B useRslora(boolean value) {
        useRslora = value;
        return self();
    }

    /** Also save the merged model under {@code output_dir/merged}, in the base's dtype. */
    public B mergeAdapters(boolean value) {
        mergeAdapters = value;
        return self();
    }

    /** No dropout while training (true, TRL's default); false applies {@code lora_dropout}. */
    public B disableDropout(boolean value) {
        disableDropout = value;
        return self();
    }

    /** Batch pairs of similar length together (groups shuffled), to cut padding. */
    public B groupByLength(boolean value) {
        groupByLength = value;
        return self();
    }

    /**
     * Run each pair's prompt once for both completions, in one row behind a block mask (true, the default), or
     * score chosen and rejected as separate rows (false); the log-probs are the same.
     */
    public B sharePrompt(boolean value) {
        sharePrompt = value;
        return self();
    }

    /**
     * Recompute each decoder layer in backward instead of keeping its activations (true), never (false), or only as
     * many layers as a micro-batch's activations need to fit in the free GPU memory (null, the default: {@code auto}).
     */
    public B gradientCheckpointing(Boolean value) {
        gradientCheckpointing = value;
        return self();
    }

    /**
     * The data type the final model is saved in: {@code AUTO} (the starting model's, from its config.json;
     * float32 when it names none), {@code FLOAT32}, {@code FLOAT16} or {@code BFLOAT16}.
     */
    public B saveDtype(SaveDtype value) {
        saveDtype = value;
        return self();
    }

    /**
     * Where metrics are reported, as TRL's {@code report_to}: {@code jsonl} ({@code metrics.jsonl}, the default),
     * {@code tensorboard} (event files under {@code output_dir/runs/}), {@code all}, or {@code none} alone.
     */
    public B reportTo(List<String> value) {
        reportTo = value == null ? null : Collections.unmodifiableList(new ArrayList<>(value));
        return self();
    }

    /** Validates and builds; every problem is listed, each naming its option. */
    protected DpoConfig buildConfig() {
        Problems problems = new Problems();
        LossConfig loss = buildLoss(problems);
        OptimizerOptions optimizer = problems.collect(() -> new OptimizerOptions(learningRate, lrSchedulerType,
                warmupSteps, weightDecay, adamBeta1, adamBeta2, adamEpsilon, maxGradNorm));
        BatchOptions batching = problems.collect(() -> new BatchOptions(perDeviceTrainBatchSize,
                perDeviceEvalBatchSize, gradientAccumulationSteps, maxLength, maxPromptLength, maxTargetLength,
                padToMultipleOf, groupByLength, sharePrompt));
        SaveOptions saving = problems.collect(() -> new SaveOptions(saveStrategy, saveSteps, saveDtype,
                saveTotalLimit));
        ReferenceOptions reference = problems.collect(() -> new ReferenceOptions(precomputeRefLogProbs,
                syncRefModel, refModelMixupAlpha, refModelSyncSteps));
        ReportOptions reporting = problems.collect(() -> ReportOptions.parse(reportTo));
        ComputeOptions compute = problems.collect(() -> new ComputeOptions(bf16, kernels));
        LoraOptions lora = problems.collect(() -> new LoraOptions(usePeft, loraR, loraAlpha, loraDropout,
                loraTargetModules, useRslora, mergeAdapters, disableDropout));
        // the options outside the groups are checked too, so one error lists every problem
        DpoConfig config = problems.collect(() -> new DpoConfig(outputDir, overwriteOutputDir,
                loss != null ? loss : LossConfig.DEFAULTS, optimizer != null ? optimizer : OPTIMIZER,
                batching != null ? batching : BATCH, saving != null ? saving : SAVE,
                reference != null ? reference : REFERENCE, numTrainEpochs, maxSteps, evalSteps, loggingSteps, seed,
                fp16, gradientCheckpointing, compute != null ? compute : COMPUTE, lora != null ? lora : LORA,
                resumeFromOutputDir ? outputDir : resumeFromCheckpoint,
                reporting != null ? reporting : REPORT));
        problems.throwIfAny("invalid DPO options: ");
        return config;
    }
}
