package dev.dpo4j.core.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.distributed.Collectives;
import dev.dpo4j.core.internal.placement.AcrossRanks;
import dev.dpo4j.core.internal.placement.FlatRuns;
import dev.dpo4j.core.internal.placement.InHostMemory;
import dev.dpo4j.core.internal.placement.OnFirstDevice;
import dev.dpo4j.core.kernels.Kernels;
import dev.dpo4j.core.lora.LoraModel;
import dev.dpo4j.core.optim.AdamW;
import dev.dpo4j.core.optim.Shard;
import dev.dpo4j.core.placement.StatePlacement;
import dev.dpo4j.core.trained.TrainedModel;

/** The one place a run chooses where its optimizer state lives, and says so in its start-up summary. */
final class Placements {

    private Placements() {
    }

    /**
     * Across the ranks when there are several (sharded by {@code zero_stage} 1 or 2, except LoRA's small state,
     * which is all-reduced); else in host memory with {@code offload_optimizer} (the masters loaded there, under
     * {@code stateManager}); else on the first device. AdamW over the trained weights either way.
     */
    static StatePlacement choose(DpoConfig config, TrainedModel model, Collectives ranks, DataType computeType,
            Kernels kernels, NDManager manager, NDManager stateManager) {
        OptimizerOptions o = config.optimizer();
        boolean across = ranks.worldSize() > 1;
        if (across && o.offloadOptimizer()) {
            throw new IllegalArgumentException("offload_optimizer keeps the optimizer state of one process in its "
                    + "host memory; with " + ranks.worldSize() + " ranks use zero_stage instead");
        }
        int stage = across && !(model instanceof LoraModel) ? o.zeroStage() : 0;
        Shard shard = stage >= 1 ? new Shard(ranks.rank(), ranks.worldSize()) : Shard.WHOLE;
        AdamW adamW = new AdamW(stateManager, model.trained(), o.adamBeta1(), o.adamBeta2(), o.adamEpsilon(),
                o.weightDecay(), kernels, shard, stage == 2);
        if (across) {
            return new AcrossRanks(adamW, model.trained(), model.stackedGroups(), computeType, kernels, ranks,
                    manager);
        }
        return o.offloadOptimizer()
                ? new InHostMemory(adamW, model.trained(), model.stackedGroups(), computeType, kernels, stateManager,
                        FlatRuns.RUN_ELEMENTS)
                : new OnFirstDevice(adamW, model.trained(), model.stackedGroups(), computeType, kernels, manager,
                        FlatRuns.RUN_ELEMENTS);
    }

    /**
     * About the bytes of one checkpoint: the trained weights in float32 and AdamW's two moments (12 bytes each), or 0
     * when none is saved.
     */
    static long checkpointBytes(DpoConfig config, TrainedModel model) {
        return config.saving().saveStrategy() == SaveStrategy.NO ? 0
                : 3L * Float.BYTES * model.trained().values().stream().mapToLong(w -> w.getShape().size()).sum();
    }

    /** The compute type, the kernels and where the optimizer state lives, for the start-up summary. */
    static String describe(DataType computeType, Kernels kernels, DpoConfig config, StatePlacement placement,
            int ranks) {
        String type = switch (computeType) {
            case FLOAT16 -> "float16 (float32 master weights) with loss scaling";
            case BFLOAT16 -> "bfloat16 (float32 master weights)";
            default -> "float32";
        };
        String state = config.optimizer().offloadOptimizer() ? ", optimizer state in host memory"
                : ranks == 1 ? ""
                : placement.shard().ranks() > 1 ? ", AdamW moments" + (config.optimizer().zeroStage() == 2
                        ? " and gradients" : "") + " sharded over " + ranks + " ranks (ZeRO stage "
                        + config.optimizer().zeroStage() + ")"
                : ", gradients all-reduced over " + ranks + " ranks (ZeRO stage 0)";
        return type + ", " + kernels.name() + " kernels" + state;
    }
}
