package dev.dpo4j.core.train;

import dev.dpo4j.api.options.OptionDeclaration;
import dev.dpo4j.api.options.OptionRecords;
import dev.dpo4j.api.options.Problems;
import dev.dpo4j.core.checkpoint.SaveDtype;
import dev.dpo4j.core.lora.LoraOptions;
import dev.dpo4j.core.optim.LearningRateSchedule;
import java.nio.file.Path;
import java.util.List;

/**
 * The option setters shared by {@link DpoConfig.Builder} and {@link DpoTrainer.Builder}, flat as TRL's keyword
 * arguments: each sets the option its record declares (its doc, default and range are there), and
 * {@link #option(String, Object)} sets any by name; the loss's are in {@link LossSetters}.
 *
 * @param <B> the concrete builder
 */
public abstract class ConfigBuilder<B extends ConfigBuilder<B>> extends LossSetters<B> {

    private static final OptionDeclaration RESUME = OptionRecords.of(DpoConfig::resumeFromCheckpoint);
    private static final OptionDeclaration OUTPUT_DIR = OptionRecords.of(DpoConfig::outputDir);

    private boolean resumeFromOutputDir;

    /** Copies every option from an existing config. */
    public B config(DpoConfig c) {
        resumeFromOutputDir = false;
        return copy(c.byName());
    }

    /**
     * Every LoRA option at once, as {@code LoraOptions.enabled().with(LoraOptions::loraR, 16)
     * .with(LoraOptions::loraTargetModules, List.of("all-linear"))}.
     */
    public B lora(LoraOptions value) {
        return copy(OptionRecords.byName(value));
    }

    /** Where the trained model, checkpoints and metrics go (required). */
    public B outputDir(Path value) {
        return set(DpoConfig::outputDir, value);
    }

    /** Allow writing into a non-empty output folder. */
    public B overwriteOutputDir(boolean value) {
        return set(DpoConfig::overwriteOutputDir, value);
    }

    /** The peak learning rate. */
    public B learningRate(double value) {
        return set(OptimizerOptions::learningRate, value);
    }

    /** Number of epochs. */
    public B numTrainEpochs(int value) {
        return set(DpoConfig::numTrainEpochs, value);
    }

    /** Stop after this many optimizer steps (0 or less: all epochs). */
    public B maxSteps(long value) {
        return set(DpoConfig::maxSteps, value);
    }

    /** Linear warmup steps. */
    public B warmupSteps(long value) {
        return set(OptimizerOptions::warmupSteps, value);
    }

    /** Decay after warmup: linear, cosine or constant. */
    public B lrSchedulerType(LearningRateSchedule.Type value) {
        return set(OptimizerOptions::lrSchedulerType, value);
    }

    /** Pairs per device per training forward pass. */
    public B perDeviceTrainBatchSize(int value) {
        return set(BatchOptions::perDeviceTrainBatchSize, value);
    }

    /** Pairs per device per evaluation forward pass. */
    public B perDeviceEvalBatchSize(int value) {
        return set(BatchOptions::perDeviceEvalBatchSize, value);
    }

    /** Micro-batches accumulated into one optimizer step. */
    public B gradientAccumulationSteps(int value) {
        return set(BatchOptions::gradientAccumulationSteps, value);
    }

    /** Drop pairs longer than this many tokens (0: no limit). */
    public B maxLength(int value) {
        return set(BatchOptions::maxLength, value);
    }

    /** Truncate prompts from the left to this many tokens (0: no limit). */
    public B maxPromptLength(int value) {
        return set(BatchOptions::maxPromptLength, value);
    }

    /** Truncate completions from the right to this many tokens (0: no limit). */
    public B maxTargetLength(int value) {
        return set(BatchOptions::maxTargetLength, value);
    }

    /** Round padded batch lengths up to a multiple of this. */
    public B padToMultipleOf(int value) {
        return set(BatchOptions::padToMultipleOf, value);
    }

    /** Batch pairs of similar length together (groups shuffled), to cut padding. */
    public B groupByLength(boolean value) {
        return set(BatchOptions::groupByLength, value);
    }

    /** Run each pair's prompt once for both completions (true, the default), or chosen and rejected as separate rows. */
    public B sharePrompt(boolean value) {
        return set(BatchOptions::sharePrompt, value);
    }

    /** When to write checkpoints. */
    public B saveStrategy(SaveStrategy value) {
        return set(SaveOptions::saveStrategy, value);
    }

    /** Checkpoint interval for {@link SaveStrategy#STEPS}. */
    public B saveSteps(long value) {
        return set(SaveOptions::saveSteps, value);
    }

    /** Keep only the newest this many {@code checkpoint-N} folders (TRL's {@code save_total_limit}; null or 0: all). */
    public B saveTotalLimit(Integer value) {
        return set(SaveOptions::saveTotalLimit, value == null ? 0 : value);
    }

    /** The data type the final model is saved in: {@code AUTO} (the starting model's), or a float type. */
    public B saveDtype(SaveDtype value) {
        return set(SaveOptions::saveDtype, value);
    }

    /** Evaluate every this many steps (0: at the end only). */
    public B evalSteps(long value) {
        return set(DpoConfig::evalSteps, value);
    }

    /** Log metrics every this many steps. */
    public B loggingSteps(long value) {
        return set(DpoConfig::loggingSteps, value);
    }

    /** Seed of initialization and data order. */
    public B seed(long value) {
        return set(DpoConfig::seed, value);
    }

    /** Global gradient-norm clipping threshold (0: none). */
    public B maxGradNorm(double value) {
        return set(OptimizerOptions::maxGradNorm, value);
    }

    /** AdamW decoupled weight decay. */
    public B weightDecay(double value) {
        return set(OptimizerOptions::weightDecay, value);
    }

    /** {@code offload_optimizer}: the optimizer's float32 state in host memory (DeepSpeed's ZeRO-Offload). */
    public B offloadOptimizer(boolean value) {
        return set(OptimizerOptions::offloadOptimizer, value);
    }

    /** {@code zero_stage}: how the optimizer state is split across ranks (DeepSpeed's ZeRO stage 0, 1 or 2). */
    public B zeroStage(int value) {
        return set(OptimizerOptions::zeroStage, value);
    }

    /** {@code ddp_timeout}: seconds a rank waits for the others before it fails. */
    public B ddpTimeout(long seconds) {
        return set(ComputeOptions::ddpTimeout, seconds);
    }

    /** AdamW beta1. */
    public B adamBeta1(double value) {
        return set(OptimizerOptions::adamBeta1, value);
    }

    /** AdamW beta2. */
    public B adamBeta2(double value) {
        return set(OptimizerOptions::adamBeta2, value);
    }

    /** AdamW epsilon. */
    public B adamEpsilon(double value) {
        return set(OptimizerOptions::adamEpsilon, value);
    }

    /** Precompute reference log-probs once and free the reference model. */
    public B precomputeRefLogProbs(boolean value) {
        return set(ReferenceOptions::precomputeRefLogProbs, value);
    }

    /** Pairs per forward pass of the precompute; 0: the per-device train (eval) batch for train (eval) pairs. */
    public B precomputeRefBatchSize(int value) {
        return set(ReferenceOptions::precomputeRefBatchSize, value);
    }

    /** A folder keeping precomputed reference log-probs across runs; null: no cache. */
    public B refLogpsCacheDir(Path value) {
        return set(ReferenceOptions::refLogpsCacheDir, value);
    }

    /** TR-DPO: the reference moves towards the policy every {@code ref_model_sync_steps} ({@code sync_ref_model}). */
    public B syncRefModel(boolean value) {
        return set(ReferenceOptions::syncRefModel, value);
    }

    /** The policy's share alpha in each reference update (TRL's {@code ref_model_mixup_alpha}). */
    public B refModelMixupAlpha(double value) {
        return set(ReferenceOptions::refModelMixupAlpha, value);
    }

    /** Steps between reference updates (TRL's {@code ref_model_sync_steps}). */
    public B refModelSyncSteps(long value) {
        return set(ReferenceOptions::refModelSyncSteps, value);
    }

    /** Float16 compute with float32 master weights and dynamic loss scaling (for GPUs). */
    public B fp16(boolean value) {
        return set(DpoConfig::fp16, value);
    }

    /** bfloat16 compute (true), float32 or fp16 (false), or null: bfloat16 where it pays, unless {@link #fp16}. */
    public B bf16(Boolean value) {
        return set(ComputeOptions::bf16, value);
    }

    /** The kernels: {@code auto}, {@code torchscript} (fail when they do not load) or {@code djl}. */
    public B kernels(String value) {
        return set(ComputeOptions::kernels, value);
    }

    /** Train LoRA adapters on the frozen base instead of every weight ({@link LoraOptions}). */
    public B usePeft(boolean value) {
        return set(LoraOptions::usePeft, value);
    }

    /** The adapters' rank (16). */
    public B loraR(int value) {
        return set(LoraOptions::loraR, value);
    }

    /** The adapters' scale numerator (32): the update is {@code (alpha / r) B A x}. */
    public B loraAlpha(int value) {
        return set(LoraOptions::loraAlpha, value);
    }

    /** Dropout on the adapters' input while training (0.05), in effect when {@link #disableDropout} is off. */
    public B loraDropout(double value) {
        return set(LoraOptions::loraDropout, value);
    }

    /** The linear layers that get adapters: names or suffixes such as {@code q_proj}, or {@code all-linear}. */
    public B loraTargetModules(List<String> value) {
        return set(LoraOptions::loraTargetModules, value);
    }

    /** Rank-stabilized scaling, {@code alpha / sqrt(r)}. */
    public B useRslora(boolean value) {
        return set(LoraOptions::useRslora, value);
    }

    /** Also save the merged model under {@code output_dir/merged}, in the base's dtype. */
    public B mergeAdapters(boolean value) {
        return set(LoraOptions::mergeAdapters, value);
    }

    /** No dropout while training (true, TRL's default); false applies {@code lora_dropout}. */
    public B disableDropout(boolean value) {
        return set(LoraOptions::disableDropout, value);
    }

    /** Recompute decoder layers in backward (true), never (false), or as many as must to fit (null: {@code auto}). */
    public B gradientCheckpointing(Boolean value) {
        return set(DpoConfig::gradientCheckpointing, value);
    }

    /** Where metrics go, as TRL's {@code report_to}: {@code jsonl}, {@code tensorboard}, {@code all}, or {@code none}. */
    public B reportTo(List<String> value) {
        return set(ReportOptions::reportTo, value);
    }

    /** Push the saved model, its card and metrics to the Hugging Face Hub ({@link PushOptions}). */
    public B pushToHub(boolean value) {
        return set(PushOptions::pushToHub, value);
    }

    /** The Hub repository to push to, {@code org/name} or {@code name} (null: the output folder's name). */
    public B hubModelId(String value) {
        return set(PushOptions::hubModelId, value);
    }

    /** Create the Hub repository private. */
    public B hubPrivateRepo(boolean value) {
        return set(PushOptions::hubPrivateRepo, value);
    }

    /** When to push: {@code END}, or {@code EVERY_SAVE} (each checkpoint too). */
    public B hubStrategy(HubStrategy value) {
        return set(PushOptions::hubStrategy, value);
    }

    /** The token to push with (null: HF_TOKEN, else the token file of {@code hf auth login}). */
    public B hubToken(String value) {
        return set(PushOptions::hubToken, value);
    }

    /**
     * Resume from this checkpoint folder, or from the newest complete {@code checkpoint-N} inside this folder (the
     * output folder of an earlier run); null: start fresh.
     */
    public B resumeFromCheckpoint(Path value) {
        resumeFromOutputDir = false;
        return set(DpoConfig::resumeFromCheckpoint, value);
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
        set(DpoConfig::resumeFromCheckpoint, null);
        resumeFromOutputDir = value;
        return self();
    }

    /** As {@link OptionSetters#option}; {@code resume_from_checkpoint} also takes TRL's words and booleans. */
    @Override
    public B option(String name, Object value) {
        if (RESUME.names().contains(name) && value instanceof String text) {
            return resumeFromCheckpoint(text);
        }
        if (RESUME.names().contains(name) && value instanceof Boolean resume) {
            return resumeFromCheckpoint(resume.booleanValue());
        }
        if (RESUME.names().contains(name)) {
            resumeFromOutputDir = false;
        }
        return super.option(name, value);
    }

    /** Validates and builds; every problem is listed, each naming its option. */
    protected DpoConfig buildConfig() {
        Problems problems = new Problems();
        DpoConfig config = OptionRecords.create(DpoConfig.class,
                option -> option == RESUME && resumeFromOutputDir ? value(OUTPUT_DIR) : value(option), problems);
        problems.throwIfAny("invalid DPO options: ");
        return config;
    }
}
