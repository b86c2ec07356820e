package dev.dpo4j.core.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.checkpoint.ModelFolder;
import dev.dpo4j.core.kernels.Kernels;
import dev.dpo4j.core.lora.LoraModel;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.trained.FullModel;
import dev.dpo4j.core.trained.TrainedModel;

/** The one place a run chooses what it trains: every weight, or LoRA adapters ({@code use_peft}, an adapter folder). */
final class TrainedModels {

    private TrainedModels() {
    }

    /**
     * Loads the policy of {@code trainer}: in float32 for full training; for LoRA the base in {@code computeType}
     * (the caller's model itself when given in memory already in that type, else a copy) and the adapters.
     *
     * @param manager the run's manager on the first device
     * @param stateManager where the optimizer's state lives ({@code manager}, or host memory with
     *     {@code offload_optimizer}): a full model's float32 masters are loaded there
     * @param policyReference whether the loss needs a reference that no other model provides
     */
    static TrainedModel load(DpoTrainer trainer, DataType computeType, Kernels kernels, NDManager manager,
            NDManager stateManager, boolean policyReference) {
        DpoConfig config = trainer.config();
        ModelSource source = trainer.policy();
        if (!config.lora().usePeft() && source.adapterFolder() == null) {
            return new FullModel(source.load(stateManager).withKernels(kernels), source.ownsModel(), source.folder());
        }
        if (config.optimizer().offloadOptimizer()) {
            throw new IllegalArgumentException("offload_optimizer is for full-parameter training, but "
                    + source.adapterFolder() + " is a LoRA adapter, whose optimizer state stays on the device");
        }
        CausalLm given = source.ownsModel() ? null : source.load(manager).withKernels(kernels);
        CausalLm base = given == null
                ? ModelFolder.load(source.folder(), manager, computeType, kernels).stackedInPlace()
                : LoraModel.frozenBase(given, computeType);
        return LoraModel.load(base, base != given, source.adapterFolder(), policyReference, new LoraModel.Setup(
                config.lora(), config.seed(), source.baseName(), config.gradientCheckpointing(), computeType,
                kernels), manager);
    }
}
