package dev.dpo4j.core.train;

import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.data.PreparedData;
import dev.dpo4j.core.lora.AdapterFolder;
import dev.dpo4j.core.lora.LoraOptions;
import dev.dpo4j.core.memory.DeviceMemory;
import dev.dpo4j.core.memory.MemoryCheck;
import dev.dpo4j.core.memory.MemoryEstimate;
import dev.dpo4j.core.memory.MemoryInputs;
import dev.dpo4j.core.memory.ReferenceModel;
import dev.dpo4j.core.model.ModelConfig;
import dev.dpo4j.core.scoring.RecomputePlan;
import dev.dpo4j.hub.ModelFiles;
import java.nio.file.Path;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's memory estimate, made from its options, its data and the policy's {@code config.json} before the model is
 * loaded: logged, shown in the start-up summary, and refused when it does not fit the devices' free memory (or, with
 * {@code offload_optimizer}, the host's available memory), unless the model was loaded by the caller (its weights
 * already take part of the memory the estimate counts).
 */
final class RunMemory {

    private static final Logger LOG = LoggerFactory.getLogger(RunMemory.class);

    private RunMemory() {
    }

    /**
     * Estimates, logs and checks the run of {@code trainer} over {@code train}; returns the estimate's summary.
     *
     * @throws dev.dpo4j.core.memory.InsufficientMemoryException when it does not fit, naming what would
     */
    static String check(DpoTrainer trainer, DataType computeType, PreparedData train) {
        ModelSource source = trainer.policy();
        ModelConfig model = source instanceof ModelSource.Loaded loaded ? loaded.model().config()
                : ModelConfig.read(source.folder().resolve(ModelFiles.CONFIG));
        MemoryInputs inputs = inputs(effective(trainer.config(), source, model), model, computeType,
                trainer.devices().size(), trainer.loss().needsReference(), trainer.referencePath() != null,
                Arrays.stream(train.lengths()).max().orElse(1), trainer.worldSize());
        long free = DeviceMemory.free(trainer.devices());
        MemoryEstimate estimate = source.ownsModel() ? MemoryCheck.requireFits(inputs, free) : inputs.estimate(free);
        LOG.info(estimate.summary());
        return estimate.summary();
    }

    /** The config with the adapter's own LoRA options when training continues from an adapter folder. */
    private static DpoConfig effective(DpoConfig config, ModelSource source, ModelConfig model) {
        Path adapter = source.adapterFolder();
        return adapter == null ? config : DpoConfig.builder().config(config)
                .lora(AdapterFolder.options(adapter, model).with(LoraOptions::mergeAdapters, config.lora().mergeAdapters()))
                .build();
    }

    /**
     * What a run of {@code config} keeps, its longest pair {@code longestPair} tokens: the estimate's inputs.
     *
     * @param referenceGiven whether a reference model of its own was given (a copy even with LoRA)
     * @param ranks the ranks of the run (its moments are split across them with {@code zero_stage} 1 and 2, its
     *     float32 gradients too with 2)
     */
    static MemoryInputs inputs(DpoConfig config, ModelConfig model, DataType computeType, int devices,
            boolean needsReference, boolean referenceGiven, int longestPair, int ranks) {
        LoraOptions lora = config.lora();
        int stage = lora.usePeft() || ranks == 1 ? 0 : config.optimizer().zeroStage();
        ReferenceModel reference = !needsReference ? ReferenceModel.NONE
                : config.reference().precomputeRefLogProbs() ? ReferenceModel.PRECOMPUTED
                : lora.usePeft() && !referenceGiven ? ReferenceModel.ADAPTERS_OFF : ReferenceModel.COPY;
        return new MemoryInputs(model, computeType, lora.usePeft(), lora.adapterParameters(model), reference, devices,
                config.batching().perDeviceTrainBatchSize(), Math.max(1, longestPair),
                config.gradientCheckpointing(), RecomputePlan.headChunks(model.vocabSize()),
                config.optimizer().offloadOptimizer(), stage == 0 ? 1 : ranks, stage == 2);
    }
}
