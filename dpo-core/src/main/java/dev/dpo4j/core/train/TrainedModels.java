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
     * @param policyReference whether the loss needs a reference that no other model provides
     */
    static TrainedModel load(DpoTrainer trainer, DataType computeType, Kernels kernels, NDManager manager,
            boolean policyReference) {
        DpoConfig config = trainer.config();
        ModelSource source = trainer.policy();
        if (!config.lora().usePeft() && source.adapterFolder() == null) {
            return new FullModel(source.load(manager).withKernels(kernels), source.ownsModel(), source.folder());
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
