package dev.dpo4j.core.train;

import dev.dpo4j.api.options.Problems;
import dev.dpo4j.core.optim.LearningRateSchedule;

/**
 * The optimizer's options, named and defaulted as TRL's {@code DPOConfig} (transformers' {@code TrainingArguments}).
 *
 * @param learningRate peak learning rate (1e-6)
 * @param lrSchedulerType decay after warmup (linear)
 * @param warmupSteps linear warmup steps (0)
 * @param weightDecay AdamW decoupled weight decay (0)
 * @param adamBeta1 AdamW beta1 (0.9)
 * @param adamBeta2 AdamW beta2 (0.999)
 * @param adamEpsilon AdamW epsilon (1e-8)
 * @param maxGradNorm clip the global gradient norm to this; 0: no clipping (1.0)
 */
public record OptimizerOptions(double learningRate, LearningRateSchedule.Type lrSchedulerType, long warmupSteps,
        double weightDecay, double adamBeta1, double adamBeta2, double adamEpsilon, double maxGradNorm) {

    /** TRL's defaults. */
    public static final OptimizerOptions DEFAULTS = new OptimizerOptions(1e-6, LearningRateSchedule.Type.LINEAR, 0,
            0, 0.9, 0.999, 1e-8, 1.0);

    /** Checks ranges; the error lists every problem, each naming its option. */
    public OptimizerOptions {
        new Problems()
                .require(learningRate >= 0, "learning_rate must not be negative, got " + learningRate)
                .require(lrSchedulerType != null, "lr_scheduler_type is required")
                .require(warmupSteps >= 0, "warmup_steps must not be negative, got " + warmupSteps)
                .require(weightDecay >= 0, "weight_decay must not be negative, got " + weightDecay)
                .require(adamBeta1 >= 0 && adamBeta1 < 1, "adam_beta1 must be in [0, 1), got " + adamBeta1)
                .require(adamBeta2 >= 0 && adamBeta2 < 1, "adam_beta2 must be in [0, 1), got " + adamBeta2)
                .require(adamEpsilon > 0, "adam_epsilon must be positive, got " + adamEpsilon)
                .require(maxGradNorm >= 0, "max_grad_norm must not be negative, got " + maxGradNorm)
                .throwIfAny();
    }
}
