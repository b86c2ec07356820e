package dev.dpo4j.core.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.kernels.InPlace;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.optim.OptimizerState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A resumable training checkpoint, {@code checkpoint-STEP/} in the output folder: the policy as a loadable model
 * folder (with LoRA, the adapters as a PEFT adapter folder instead: small), the AdamW moments in
 * {@code optimizer.safetensors}, {@code trainer_state.json}, and the reference model's
 * weights in {@code reference.safetensors} when training moves the reference ({@code sync_ref_model}). It is written
 * into a temporary folder and renamed, so a crash never corrupts the last good checkpoint; it is complete when its
 * {@code trainer_state.json} exists (see {@link CheckpointFolders}).
 */
public final class TrainingCheckpoint {

    /** The optimizer state file. */
    public static final String OPTIMIZER = "optimizer.safetensors";
    /** The reference weights file, written when the reference model changes during training. */
    public static final String REFERENCE = "reference.safetensors";
    /** The prefix of checkpoint folder names. */
    public static final String PREFIX = "checkpoint-";

    private TrainingCheckpoint() {
    }

    /**
     * Writes {@code checkpoint-STEP} into {@code outputDir} and returns its path: the trained weights as
     * {@code weights} writes them (a model folder, or a LoRA adapter folder), the optimizer's state, the trainer state
     * and, when not null, the reference's weights.
     */
    public static Path save(Path outputDir, AtomicFolder.Writer weights, OptimizerState optimizer, TrainerState state,
            Map<String, NDArray> reference) throws IOException {
        Path folder = outputDir.resolve(PREFIX + state.globalStep());
        // a new folder is moved into place whole; an existing one (a run resumed from an earlier step) has its files
        // replaced one by one, so it loses its trainer state first and gets the new one last: it only looks
        // complete when it is
        boolean replacing = Files.exists(folder);
        if (replacing) {
            Files.deleteIfExists(folder.resolve(TrainerState.FILE_NAME));
        }
        AtomicFolder.write(folder, tmp -> {
            weights.write(tmp);
            Safetensors.write(tmp.resolve(OPTIMIZER), optimizer.state(), Map.of("steps",
                    String.valueOf(optimizer.steps())));
            if (reference != null) {
                Safetensors.write(tmp.resolve(REFERENCE), reference, Map.of());
            }
            if (!replacing) {
                state.write(tmp);
            }
        });
        if (replacing) {
            state.write(folder);
        }
        return folder;
    }

    /**
     * Copies a checkpoint's reference weights into {@code reference} (in place, in its data type).
     *
     * @throws CheckpointException naming the file when the checkpoint has none
     */
    public static void restoreReference(Path folder, Map<String, NDArray> reference, NDManager manager) {
        Path file = folder.resolve(REFERENCE);
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file + ": missing; the checkpoint was written without sync_ref_model, so "
                    + "the reference it trained against is unknown");
        }
        try (NDManager scratch = manager.newSubManager()) {
            Safetensors.read(file, scratch, DataType.FLOAT32).forEach((name, saved) -> {
                NDArray target = reference.get(name);
                if (target == null) {
                    throw new CheckpointException(file + ": unexpected tensor '" + name + "'");
                }
                InPlace.assign(target, saved);
            });
        }
    }

    /**
     * Loads a checkpoint's model folder into {@code policy}'s weights, in place on the device (their storage, which
     * the optimizer's flat buffers hold, is kept).
     *
     * @throws CheckpointException when the checkpoint's architecture differs from the policy's
     */
    public static void restoreWeights(Path folder, CausalLm policy, NDManager manager) {
        try (CausalLm saved = ModelFolder.load(folder, manager)) {
            if (!saved.config().equals(policy.config()) && !sameShapes(saved, policy)) {
                throw new CheckpointException(folder
                        + ": checkpoint architecture differs from the model being trained");
            }
            // copy on the device, in place: NDArray.copyTo would swap the storage and break the optimizer's views
            saved.parameters().forEach((name, weight) -> InPlace.assign(policy.parameters().get(name), weight));
        }
    }

    /** Loads a checkpoint's moments into {@code optimizer}, at the step of {@code state}. */
    public static void restoreOptimizer(Path folder, OptimizerState optimizer, TrainerState state,
            NDManager manager) {
        Path optimizerFile = folder.resolve(OPTIMIZER);
        if (!Files.isRegularFile(optimizerFile)) {
            throw new CheckpointException(optimizerFile + ": missing, cannot resume the optimizer");
        }
        try (NDManager scratch = manager.newSubManager()) {
            Map<String, NDArray> moments = Safetensors.read(optimizerFile, scratch, DataType.FLOAT32);
            optimizer.restore(moments, state.globalStep());
        }
    }

    private static boolean sameShapes(CausalLm a, CausalLm b) {
        return CausalLm.expectedShapes(a.config()).equals(CausalLm.expectedShapes(b.config()));
    }
}
