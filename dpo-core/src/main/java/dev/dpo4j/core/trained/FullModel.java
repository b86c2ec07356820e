package dev.dpo4j.core.trained;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.checkpoint.AtomicFolder;
import dev.dpo4j.core.checkpoint.ModelFolder;
import dev.dpo4j.core.checkpoint.SaveDtype;
import dev.dpo4j.core.checkpoint.TrainingCheckpoint;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.placement.DeviceWeights;
import dev.dpo4j.core.reference.ReferenceLogps;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Full-parameter training: the optimizer owns every weight of the policy (float32 masters), each device reads the
 * copies its placement makes, and checkpoints and the final model are Hugging Face model folders.
 */
public final class FullModel implements TrainedModel {

    private final CausalLm policy;
    private final boolean ownsPolicy;
    private final Path folder;

    /**
     * @param policy the policy in float32, trained in place
     * @param ownsPolicy whether the run loaded it (closed with this model), rather than the caller
     * @param folder the folder it was loaded from, which the reference reloads; null for a model given in memory
     */
    public FullModel(CausalLm policy, boolean ownsPolicy, Path folder) {
        this.policy = policy;
        this.ownsPolicy = ownsPolicy;
        this.folder = folder;
    }

    @Override
    public CausalLm policy() {
        return policy;
    }

    @Override
    public Map<String, NDArray> trained() {
        return policy.parameters();
    }

    /** Each layer's q/k/v and gate/up projections. */
    @Override
    public List<List<String>> stackedGroups() {
        return CausalLm.stackedProjections(policy.config());
    }

    /** The copies themselves: every weight is trained. */
    @Override
    public DeviceWeights onDevice(DeviceWeights copies, NDManager manager, boolean first) {
        return copies;
    }

    /** The starting policy on the device of {@code manager}: reloaded from its folder, or copied when given in memory. */
    @Override
    public ReferenceLogps ownReference(DataType computeType, NDManager manager) {
        return folder == null ? ReferenceLogps.copyOf(policy, computeType, manager)
                : ReferenceLogps.fromFolder(folder, policy, computeType, manager);
    }

    @Override
    public AtomicFolder.Writer checkpointFiles(Path tokenizerFiles) {
        return tmp -> ModelFolder.writeFiles(policy, tmp, tokenizerFiles, SaveDtype.FLOAT32);
    }

    @Override
    public void restore(Path checkpoint, NDManager manager) {
        TrainingCheckpoint.restoreWeights(checkpoint, policy, manager);
    }

    /** Every weight in {@code dtype} ({@code auto}: the starting model's). */
    @Override
    public long savedBytes(SaveDtype dtype) {
        return policy.parameterCount() * (dtype.resolve(policy.config().json()) == SaveDtype.FLOAT32 ? 4 : 2);
    }

    @Override
    public void save(Path folder, Path tokenizerFiles, SaveDtype dtype) throws IOException {
        ModelFolder.save(policy, folder, tokenizerFiles, dtype);
    }

    /** Frees the policy when the run loaded it. */
    @Override
    public void close() {
        if (ownsPolicy) {
            policy.close();
        }
    }
}
