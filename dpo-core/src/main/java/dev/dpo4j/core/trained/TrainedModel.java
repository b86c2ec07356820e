package dev.dpo4j.core.trained;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.checkpoint.AtomicFolder;
import dev.dpo4j.core.checkpoint.SaveDtype;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.placement.DeviceWeights;
import dev.dpo4j.core.reference.ReferenceLogps;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a run trains: every weight of the policy ({@link FullModel}) or LoRA adapters on a frozen base
 * ({@code lora.LoraModel}). It supplies the float32 weights the optimizer owns, each device's view of the policy over
 * their copies, the reference that comes with it when no other model is given, and how checkpoints and the final model
 * are written and read back. A new kind of trained model (a frozen quantized base, another adapter type) is one new
 * implementation.
 */
public interface TrainedModel extends AutoCloseable {

    /** The architecture every device scores with: the policy's float32 masters, or the frozen base of adapters. */
    CausalLm policy();

    /** The float32 weights the optimizer owns, by name: the policy's, or the adapters'. */
    Map<String, NDArray> trained();

    /**
     * Groups of trained modules that read the same input ({@code q/k/v_proj}, {@code gate/up_proj}), whose working
     * copies may be stacked into one leaf so each group runs as one matmul; empty when nothing is stacked.
     */
    List<List<String>> stackedGroups();

    /**
     * The policy as one device reads it, over {@code copies} of the trained weights on that device (from the
     * optimizer's placement), which it closes with itself.
     *
     * @param manager the device's manager, for anything more the view needs there (a frozen base, say)
     * @param first whether this is the run's first device, where {@link #policy()} lives
     */
    DeviceWeights onDevice(DeviceWeights copies, NDManager manager, boolean first);

    /**
     * The reference when no reference model is given, on the first device, scored in {@code computeType}: a frozen
     * copy of the starting policy, or the base with the adapters off (or with the adapter training started from).
     */
    ReferenceLogps ownReference(DataType computeType, NDManager manager);

    /** Writes the trained weights into a checkpoint's temporary folder: a model folder, or an adapter folder. */
    AtomicFolder.Writer checkpointFiles(Path tokenizerFiles);

    /**
     * Copies a checkpoint's trained weights into {@link #trained()}, in place.
     *
     * @throws dev.dpo4j.core.checkpoint.CheckpointException naming the checkpoint when it does not fit this model
     */
    void restore(Path checkpoint, NDManager manager);

    /** About the bytes {@link #save} writes for {@code dtype}: the weights, without the small files beside them. */
    long savedBytes(SaveDtype dtype);

    /** Saves the trained model into {@code folder} in {@code dtype}, as a user loads it after training. */
    void save(Path folder, Path tokenizerFiles, SaveDtype dtype) throws IOException;

    /** Frees what the model owns. */
    @Override
    void close();
}
