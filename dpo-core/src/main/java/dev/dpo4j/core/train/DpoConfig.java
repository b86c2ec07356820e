package dev.dpo4j.core.train;

import dev.dpo4j.core.checkpoint.SaveDtype;
import dev.dpo4j.core.loss.FDivergence;
import dev.dpo4j.core.loss.Losses;
import dev.dpo4j.core.optim.LearningRateSchedule;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Every training option, named as in TRL's {@code DPOConfig} (camel-cased), with its defaults. Built and
 * validated by {@link #builder()}; errors name the option in TRL's snake_case.
 *
 * @param outputDir where the trained model, checkpoints and {@code metrics.jsonl} go
 * @param overwriteOutputDir whether a non-empty {@code outputDir} may be written into
 * @param beta the DPO temperature (default 0.1)
 * @param lossType a built-in of {@code Losses.NAMES}: {@code sigmoid} (default), {@code robust}, {@code hinge},
 *     {@code ipo}, {@code simpo}, {@code sigmoid_norm}, {@code exo_pair}, {@code nca_pair}, {@code bco_pair},
 *     {@code sppo_hard}, {@code aot}, {@code aot_unpaired}, {@code apo_zero}, {@code apo_down}, {@code discopop}
 * @param lossWeights the weight of each loss when {@code lossType} names several, separated by commas (null: 1 each)
 * @param rpoAlpha weight of the chosen completions' negative log-likelihood added to the loss (RPO); 0: off
 * @param labelSmoothing label noise for conservative/robust DPO (default 0)
 * @param simpoGamma SimPO's target reward margin (default 0.5)
 * @param discopopTau DiscoPOP's temperature (default 0.05)
 * @param fDivergenceType the divergence towards the reference (default reverse KL: plain DPO)
 * @param fAlphaDivergenceCoef the alpha divergence's coefficient (default 1)
 * @param learningRate peak learning rate (default 1e-6)
 * @param numTrainEpochs epochs over the training set (default 1)
 * @param maxSteps stop after this many optimizer steps; 0 or less: run all epochs (default -1)
 * @param warmupSteps linear warmup steps (default 0)
 * @param lrSchedulerType decay after warmup (default linear)
 * @param perDeviceTrainBatchSize pairs per device per forward pass (default 8)
 * @param perDeviceEvalBatchSize pairs per device per evaluation forward pass (default 8)
 * @param gradientAccumulationSteps micro-batches per optimizer step (default 1)
 * @param maxLength pairs whose prompt plus longer completion exceed this many tokens are dropped; 0: no limit
 *     (default 1024)
 * @param maxPromptLength prompts are truncated from the left to this many tokens; 0: no limit (default 0)
 * @param maxTargetLength completions are truncated from the right to this many tokens; 0: no limit (default 0)
 * @param padToMultipleOf padded batch length is rounded up to a multiple of this (default 1)
 * @param saveStrategy when checkpoints are written (default no)
 * @param saveSteps checkpoint interval with {@code steps} (default 500)
 * @param evalSteps evaluate every this many steps; 0: only at the end (default 0)
 * @param loggingSteps log averaged metrics every this many steps (default 10)
 * @param seed seeds initialization and data order (default 42)
 * @param maxGradNorm clip the global gradient norm to this; 0: no clipping (default 1.0)
 * @param weightDecay AdamW decoupled weight decay (default 0)
 * @param adamBeta1 AdamW beta1 (default 0.9)
 * @param adamBeta2 AdamW beta2 (default 0.999)
 * @param adamEpsilon AdamW epsilon (default 1e-8)
 * @param precomputeRefLogProbs compute reference log-probs once before training and free the reference model
 * @param syncRefModel move the reference towards the policy during training (TR-DPO; default false)
 * @param refModelMixupAlpha the policy's share in each reference update, {@code ref = a pi + (1 - a) ref} (0.6)
 * @param refModelSyncSteps steps between reference updates (512)
 * @param resumeFromCheckpoint a checkpoint folder to resume from, or null
 * @param fp16 float16 compute with float32 master weights and dynamic loss scaling (default false: float32)
 * @param groupByLength batch pairs of similar length together, in shuffled groups, to cut padding (default false)
 * @param gradientCheckpointing keep only each decoder layer's input during the forward pass and recompute the layer
 *     in backward, and score the LM head in chunks, trading about a third more compute for far less memory
 *     (default false)
 * @param saveDtype the data type of the saved model's weights (default auto: the starting model's); checkpoints stay
 *     float32
 */
public record DpoConfig(Path outputDir, boolean overwriteOutputDir, double beta, String lossType,
        List<Double> lossWeights, double rpoAlpha, double labelSmoothing, double simpoGamma, double discopopTau,
        FDivergence fDivergenceType, double fAlphaDivergenceCoef,
        double learningRate, int numTrainEpochs, long maxSteps, long warmupSteps,
        LearningRateSchedule.Type lrSchedulerType, int perDeviceTrainBatchSize, int perDeviceEvalBatchSize,
        int gradientAccumulationSteps, int maxLength, int maxPromptLength, int maxTargetLength, int padToMultipleOf,
        SaveStrategy saveStrategy, long saveSteps, long evalSteps, long loggingSteps, long seed, double maxGradNorm,
        double weightDecay, double adamBeta1, double adamBeta2, double adamEpsilon, boolean precomputeRefLogProbs,
        boolean syncRefModel, double refModelMixupAlpha, long refModelSyncSteps, Path resumeFromCheckpoint,
        boolean fp16, boolean groupByLength, boolean gradientCheckpointing, SaveDtype saveDtype) {

    /** A builder with TRL's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Pairs per optimizer step on {@code devices} devices. */
    public int globalBatchSize(int devices) {
        return perDeviceTrainBatchSize * gradientAccumulationSteps * devices;
    }

    /** Builds a validated {@link DpoConfig}. */
    public static final class Builder extends Options<Builder> {
        private Builder() {
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** Validates every option and builds the config; the error names each bad option. */
        public DpoConfig build() {
            return buildConfig();
        }
    }

    /**
     * The option setters shared by {@link Builder} and {@code DpoTrainer.Builder}, so every option is set the same
     * way on both.
     *
     * @param <B> the concrete builder
     */
    public abstract static class Options<B extends Options<B>> {
        private Path outputDir;
        private boolean overwriteOutputDir;
        private double beta = 0.1;
        private String lossType = "sigmoid";
        private List<Double> lossWeights;
        private double rpoAlpha;
        private double labelSmoothing;
        private double simpoGamma = 0.5;
        private double discopopTau = Losses.DEFAULT_DISCOPOP_TAU;
        private FDivergence fDivergenceType = FDivergence.REVERSE_KL;
        private double fAlphaDivergenceCoef = 1.0;
        private double learningRate = 1e-6;
        private int numTrainEpochs = 1;
        private long maxSteps = -1;
        private long warmupSteps;
        private LearningRateSchedule.Type lrSchedulerType = LearningRateSchedule.Type.LINEAR;
        private int perDeviceTrainBatchSize = 8;
        private int perDeviceEvalBatchSize = 8;
        private int gradientAccumulationSteps = 1;
        private int maxLength = 1024;
        private int maxPromptLength;
        private int maxTargetLength;
        private int padToMultipleOf = 1;
        private SaveStrategy saveStrategy = SaveStrategy.NO;
        private long saveSteps = 500;
        private long evalSteps;
        private long loggingSteps = 10;
        private long seed = 42;
        private double maxGradNorm = 1.0;
        private double weightDecay;
        private double adamBeta1 = 0.9;
        private double adamBeta2 = 0.999;
        private double adamEpsilon = 1e-8;
        private boolean precomputeRefLogProbs;
        private boolean syncRefModel;
        private double refModelMixupAlpha = 0.6;
        private long refModelSyncSteps = 512;
        private Path resumeFromCheckpoint;
        private boolean fp16;
        private boolean groupByLength;
        private boolean gradientCheckpointing;
        private SaveDtype saveDtype = SaveDtype.AUTO;

        /** This builder, typed. */
        protected abstract B self();

        /** Copies every option from an existing config. */
        public B config(DpoConfig c) {
            outputDir = c.outputDir();
            overwriteOutputDir = c.overwriteOutputDir();
            beta = c.beta();
            lossType = c.lossType();
            lossWeights = c.lossWeights();
            rpoAlpha = c.rpoAlpha();
            labelSmoothing = c.labelSmoothing();
            simpoGamma = c.simpoGamma();
            discopopTau = c.discopopTau();
            fDivergenceType = c.fDivergenceType();
            fAlphaDivergenceCoef = c.fAlphaDivergenceCoef();
            learningRate = c.learningRate();
            numTrainEpochs = c.numTrainEpochs();
            maxSteps = c.maxSteps();
            warmupSteps = c.warmupSteps();
            lrSchedulerType = c.lrSchedulerType();
            perDeviceTrainBatchSize = c.perDeviceTrainBatchSize();
            perDeviceEvalBatchSize = c.perDeviceEvalBatchSize();
            gradientAccumulationSteps = c.gradientAccumulationSteps();
            maxLength = c.maxLength();
            maxPromptLength = c.maxPromptLength();
            maxTargetLength = c.maxTargetLength();
            padToMultipleOf = c.padToMultipleOf();
            saveStrategy = c.saveStrategy();
            saveSteps = c.saveSteps();
            evalSteps = c.evalSteps();
            loggingSteps = c.loggingSteps();
            seed = c.seed();
            maxGradNorm = c.maxGradNorm();
            weightDecay = c.weightDecay();
            adamBeta1 = c.adamBeta1();
            adamBeta2 = c.adamBeta2();
            adamEpsilon = c.adamEpsilon();
            precomputeRefLogProbs = c.precomputeRefLogProbs();
            syncRefModel = c.syncRefModel();
            refModelMixupAlpha = c.refModelMixupAlpha();
            refModelSyncSteps = c.refModelSyncSteps();
            resumeFromCheckpoint = c.resumeFromCheckpoint();
            fp16 = c.fp16();
            groupByLength = c.groupByLength();
            gradientCheckpointing = c.gradientCheckpointing();
            saveDtype = c.saveDtype();
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

        /** The DPO temperature beta. */
        public B beta(double value) {
            beta = value;
            return self();
        }

        /** The built-in loss by name, one of {@code Losses.NAMES} (TRL's names). */
        public B lossType(String value) {
            lossType = value;
            return self();
        }

        /** The weight of each loss named in {@code lossType} (comma-separated), as TRL's {@code loss_weights}. */
        public B lossWeights(List<Double> value) {
            lossWeights = value == null ? null : List.copyOf(value);
            return self();
        }

        /**
         * RPO: adds this weight times the chosen completions' negative log-likelihood to the built-in loss of
         * {@code lossType} (0: off; a loss given to the trainer as an object is used as it is).
         */
        public B rpoAlpha(double value) {
            rpoAlpha = value;
            return self();
        }

        /** Label smoothing for conservative or robust DPO. */
        public B labelSmoothing(double value) {
            labelSmoothing = value;
            return self();
        }

        /** SimPO's target margin gamma. */
        public B simpoGamma(double value) {
            simpoGamma = value;
            return self();
        }

        /** The divergence towards the reference (f-DPO), as TRL's {@code f_divergence_type}. */
        public B fDivergenceType(FDivergence value) {
            fDivergenceType = value;
            return self();
        }

        /** The alpha divergence's coefficient (with {@code ALPHA_DIVERGENCE}). */
        public B fAlphaDivergenceCoef(double value) {
            fAlphaDivergenceCoef = value;
            return self();
        }

        /** DiscoPOP's temperature tau (with {@code loss_type discopop}). */
        public B discopopTau(double value) {
            discopopTau = value;
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

        /** Resume from this checkpoint folder (null: start fresh). */
        public B resumeFromCheckpoint(Path value) {
            resumeFromCheckpoint = value;
            return self();
        }

        /** Float16 compute with float32 master weights and dynamic loss scaling (for GPUs). */
        public B fp16(boolean value) {
            fp16 = value;
            return self();
        }

        /** Batch pairs of similar length together (groups shuffled), to cut padding. */
        public B groupByLength(boolean value) {
            groupByLength = value;
            return self();
        }

        /** Recompute each decoder layer in backward instead of keeping its activations. */
        public B gradientCheckpointing(boolean value) {
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

        /** Validates and builds; every problem is listed, each naming its option. */
        protected DpoConfig buildConfig() {
            List<String> problems = new ArrayList<>();
            require(problems, outputDir != null, "output_dir is required");
            require(problems, beta > 0, "beta must be positive, got " + beta);
            require(problems, labelSmoothing >= 0 && labelSmoothing < 0.5,
                    "label_smoothing must be in [0, 0.5), got " + labelSmoothing);
            require(problems, refModelMixupAlpha >= 0 && refModelMixupAlpha <= 1,
                    "ref_model_mixup_alpha must be in [0, 1], got " + refModelMixupAlpha);
            require(problems, refModelSyncSteps >= 1, "ref_model_sync_steps must be at least 1, got "
                    + refModelSyncSteps);
            require(problems, !(syncRefModel && precomputeRefLogProbs), "sync_ref_model moves the reference model, "
                    + "so it cannot be used with precompute_ref_log_probs");
            require(problems, rpoAlpha >= 0, "rpo_alpha must not be negative, got " + rpoAlpha);
            require(problems, lossWeights == null || lossWeights.stream().allMatch(w -> Double.isFinite(w)),
                    "loss_weights must be finite numbers, got " + lossWeights);
            require(problems, fDivergenceType != null, "f_divergence_type is required");
            require(problems, Double.isFinite(fAlphaDivergenceCoef), "f_alpha_divergence_coef must be finite, got "
                    + fAlphaDivergenceCoef);
            require(problems, discopopTau > 0, "discopop_tau must be positive, got " + discopopTau);
            require(problems, learningRate >= 0, "learning_rate must not be negative, got " + learningRate);
            require(problems, numTrainEpochs >= 1, "num_train_epochs must be at least 1, got " + numTrainEpochs);
            require(problems, warmupSteps >= 0, "warmup_steps must not be negative, got " + warmupSteps);
            require(problems, perDeviceTrainBatchSize >= 1,
                    "per_device_train_batch_size must be at least 1, got " + perDeviceTrainBatchSize);
            require(problems, perDeviceEvalBatchSize >= 1,
                    "per_device_eval_batch_size must be at least 1, got " + perDeviceEvalBatchSize);
            require(problems, gradientAccumulationSteps >= 1,
                    "gradient_accumulation_steps must be at least 1, got " + gradientAccumulationSteps);
            require(problems, maxLength >= 0, "max_length must not be negative, got " + maxLength);
            require(problems, maxPromptLength >= 0, "max_prompt_length must not be negative, got " + maxPromptLength);
            require(problems, maxTargetLength >= 0, "max_target_length must not be negative, got " + maxTargetLength);
            require(problems, maxLength == 0 || maxPromptLength < maxLength,
                    "max_prompt_length (" + maxPromptLength + ") must be below max_length (" + maxLength + ")");
            require(problems, padToMultipleOf >= 1, "pad_to_multiple_of must be at least 1, got " + padToMultipleOf);
            require(problems, saveStrategy != null, "save_strategy is required");
            require(problems, saveStrategy != SaveStrategy.STEPS || saveSteps >= 1,
                    "save_steps must be at least 1 with save_strategy steps, got " + saveSteps);
            require(problems, evalSteps >= 0, "eval_steps must not be negative, got " + evalSteps);
            require(problems, loggingSteps >= 1, "logging_steps must be at least 1, got " + loggingSteps);
            require(problems, maxGradNorm >= 0, "max_grad_norm must not be negative, got " + maxGradNorm);
            require(problems, weightDecay >= 0, "weight_decay must not be negative, got " + weightDecay);
            require(problems, adamBeta1 >= 0 && adamBeta1 < 1, "adam_beta1 must be in [0, 1), got " + adamBeta1);
            require(problems, adamBeta2 >= 0 && adamBeta2 < 1, "adam_beta2 must be in [0, 1), got " + adamBeta2);
            require(problems, adamEpsilon > 0, "adam_epsilon must be positive, got " + adamEpsilon);
            require(problems, lrSchedulerType != null, "lr_scheduler_type is required");
            require(problems, lossType != null, "loss_type is required");
            require(problems, saveDtype != null, "save_dtype is required");
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid DPO options: " + String.join("; ", problems));
            }
            return new DpoConfig(outputDir, overwriteOutputDir, beta, lossType, lossWeights, rpoAlpha, labelSmoothing,
                    simpoGamma, discopopTau, fDivergenceType,
                    fAlphaDivergenceCoef, learningRate, numTrainEpochs, maxSteps, warmupSteps, lrSchedulerType,
                    perDeviceTrainBatchSize, perDeviceEvalBatchSize, gradientAccumulationSteps, maxLength,
                    maxPromptLength, maxTargetLength, padToMultipleOf, saveStrategy, saveSteps, evalSteps, loggingSteps,
                    seed, maxGradNorm, weightDecay, adamBeta1, adamBeta2, adamEpsilon, precomputeRefLogProbs,
                    syncRefModel, refModelMixupAlpha, refModelSyncSteps, resumeFromCheckpoint, fp16, groupByLength,
                    gradientCheckpointing, saveDtype);
        }

        private static void require(List<String> problems, boolean ok, String problem) {
            if (!ok) {
                problems.add(problem);
            }
        }
    }
}
