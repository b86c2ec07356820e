package dev.dpo4j.core.train;

import dev.dpo4j.api.options.Option;
import dev.dpo4j.api.options.OptionRecords;
import dev.dpo4j.core.optim.LearningRateSchedule;

/** The optimizer's options, named and defaulted as TRL's {@code DPOConfig} (transformers' {@code TrainingArguments}). */
public record OptimizerOptions(
        @Option(doc = "Peak learning rate of AdamW.", value = "1e-6", label = "LR", min = 0)
        double learningRate,
        @Option(doc = "Decay after warmup: linear, cosine or constant.", value = "linear", label = "TYPE")
        LearningRateSchedule.Type lrSchedulerType,
        @Option(doc = "Linear warmup steps.", value = "0", label = "N", min = 0)
        long warmupSteps,
        @Option(doc = "AdamW decoupled weight decay.", value = "0", label = "W", min = 0)
        double weightDecay,
        @Option(doc = "AdamW beta1.", value = "0.9", label = "B", min = 0, max = 1, maxExclusive = true)
        double adamBeta1,
        @Option(doc = "AdamW beta2.", value = "0.999", label = "B", min = 0, max = 1, maxExclusive = true)
        double adamBeta2,
        @Option(doc = "AdamW epsilon.", value = "1e-8", label = "E", min = 0, minExclusive = true)
        double adamEpsilon,
        @Option(doc = "Clip the global gradient norm to this; 0: no clipping.", value = "1.0", label = "N", min = 0)
        double maxGradNorm,
        @Option(doc = "Keep the optimizer's float32 state (master weights, gradient accumulators, AdamW moments) in "
                + "host memory and run AdamW there, as DeepSpeed's ZeRO-Offload: the GPU holds only the compute-type "
                + "weights, their gradients and the activations (full-parameter training only).", value = "false")
        boolean offloadOptimizer,
        @Option(doc = "With several ranks, how the optimizer state is split, by DeepSpeed's ZeRO stages: 0 every rank "
                + "holds it all and the gradients are all-reduced; 1 each rank holds its shard of the AdamW moments, "
                + "the gradients are reduce-scattered into it and the updated weights all-gathered; 2 also keeps "
                + "only its shard of the float32 gradients, reduce-scattered after every micro-step. LoRA's small "
                + "state is always all-reduced.", value = "1", label = "S", min = 0, max = 2)
        int zeroStage) {

    /** TRL's defaults, the state on the device. */
    public static final OptimizerOptions DEFAULTS = OptionRecords.defaults(OptimizerOptions.class);

    /** Checks ranges; the error lists every problem, each naming its option. */
    public OptimizerOptions {
        OptionRecords.check(OptimizerOptions.class, learningRate, lrSchedulerType, warmupSteps, weightDecay,
                adamBeta1, adamBeta2, adamEpsilon, maxGradNorm, offloadOptimizer, zeroStage).throwIfAny();
    }
}
