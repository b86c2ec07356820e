package dev.dpo4j.core.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.dpo4j.core.kernels.InPlace;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.optim.OptimizerState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

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
            if (optimizer.shard().ranks() > 1) {
                OptimizerShards.write(tmp, optimizer);
                moveStagedParts(outputDir, state.globalStep(), tmp);
            } else {
                Safetensors.write(tmp.resolve(OPTIMIZER), optimizer.state(), Map.of("steps",
                        String.valueOf(optimizer.steps())));
            }
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
     * Where the ranks other than 0 write their optimizer parts of checkpoint {@code step} before rank 0 moves them
     * into the checkpoint it writes: a temporary sibling of the checkpoint folder, so an interrupted save leaves
     * nothing that looks complete ({@link AtomicFolder#deleteInterrupted}).
     */
    public static Path partsStaging(Path outputDir, long step) {
        return outputDir.resolve(AtomicFolder.tempPrefix(PREFIX + step) + "parts");
    }

    /** Writes this rank's optimizer part where rank 0 will collect it ({@link #partsStaging}). */
    public static void stagePart(Path outputDir, long step, OptimizerState optimizer) throws IOException {
        Path staging = Files.createDirectories(partsStaging(outputDir, step));
        Path tmp = Files.createTempDirectory(staging, ".part-");
        OptimizerShards.write(tmp, optimizer);
        String name = OptimizerShards.fileName(optimizer.shard().rank());
        Files.move(tmp.resolve(name), staging.resolve(name), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        Files.delete(tmp);
    }

    private static void moveStagedParts(Path outputDir, long step, Path tmp) throws IOException {
        Path staging = partsStaging(outputDir, step);
        if (!Files.isDirectory(staging)) {
            return;
        }
        try (Stream<Path> parts = Files.list(staging)) {
            for (Path part : parts.filter(Files::isRegularFile).toList()) {
                Files.move(part, tmp.resolve(part.getFileName().toString()));
            }
        }
        AtomicFolder.deleteRecursively(staging);
    }

    /**
     * Checks a checkpoint's step against the run's plan: it may not lie beyond the {@code plannedSteps} the run
     * trains for (at them, the run is finished and only evaluates and saves).
     *
     * @throws CheckpointException naming the trainer state file
     */
    public static void checkStep(Path folder, TrainerState state, long plannedSteps) {
        if (state.globalStep() > plannedSteps) {
            throw new CheckpointException(folder.resolve(TrainerState.FILE_NAME) + ": globalStep "
                    + state.globalStep() + " lies beyond the " + plannedSteps + " steps this run trains for; resume "
                    + "with the max_steps or num_train_epochs that wrote it, or from an earlier checkpoint");
        }
    }

    /**
     * Checks, from the file's header alone, that a checkpoint's optimizer state holds exactly the moments of
     * {@code optimizer}: every key, each in float32 and in the shape of its weight.
     *
     * @throws CheckpointException naming the file and the first tensor missing, unexpected or of another shape
     */
    public static void checkOptimizer(Path folder, OptimizerState optimizer) {
        checkOptimizer(folder, optimizer, Long.MAX_VALUE);
    }

    /** As {@link #checkOptimizer(Path, OptimizerState)}; returns the optimizer's step count at {@code globalStep}. */
    private static long checkOptimizer(Path folder, OptimizerState optimizer, long globalStep) {
        if (OptimizerShards.present(folder)) {
            return OptimizerShards.check(folder, optimizer, globalStep);
        }
        Path file = folder.resolve(OPTIMIZER);
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file + ": missing, cannot resume the optimizer");
        }
        Map<String, Shape> expected = optimizer.momentShapes();
        checkTensors(file, Safetensors.header(file), expected::get, expected.keySet(), true);
        return globalStep == Long.MAX_VALUE ? 0 : optimizerSteps(file, globalStep);
    }

    /**
     * Checks, from the file's header alone, that a checkpoint's reference weights are exactly {@code reference}'s:
     * every weight, in its shape and data type.
     *
     * @throws CheckpointException naming the file and the first tensor at fault, or the file when it is missing
     */
    public static void checkReference(Path folder, Map<String, NDArray> reference) {
        Path file = referenceFile(folder);
        checkTensors(file, Safetensors.header(file), name -> reference.get(name).getShape(), reference.keySet(),
                false, name -> reference.get(name).getDataType());
    }

    private static Path referenceFile(Path folder) {
        Path file = folder.resolve(REFERENCE);
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file + ": missing; the checkpoint was written without sync_ref_model, so "
                    + "the reference it trained against is unknown");
        }
        return file;
    }

    private static void checkTensors(Path file, Safetensors.Header header, Function<String, Shape> shapes,
            Set<String> names, boolean float32) {
        checkTensors(file, header, shapes, names, float32, name -> DataType.FLOAT32);
    }

    private static void checkTensors(Path file, Safetensors.Header header, Function<String, Shape> shapes,
            Set<String> names, boolean float32, Function<String, DataType> types) {
        for (String name : names) {
            Safetensors.TensorInfo saved = header.tensors().get(name);
            if (saved == null) {
                throw new CheckpointException(file + ": tensor '" + name + "' is missing ("
                        + header.tensors().size() + " of " + names.size() + " tensors present)");
            }
            if (!saved.shape().equals(shapes.apply(name))) {
                throw new CheckpointException(file + ": tensor '" + name + "' has shape " + saved.shape()
                        + " where this run's is " + shapes.apply(name));
            }
            SafetensorsType type = float32 ? SafetensorsType.F32 : SafetensorsType.of(types.apply(name), name);
            if (saved.type() != type) {
                throw new CheckpointException(file + ": tensor '" + name + "' is " + saved.dtype()
                        + " where this run's is " + type.name());
            }
        }
        for (String name : header.tensors().keySet()) {
            if (!names.contains(name)) {
                throw new CheckpointException(file + ": unexpected tensor '" + name + "'");
            }
        }
    }

    /**
     * Copies a checkpoint's reference weights into {@code reference} (in place, in its data type), after
     * {@link #checkReference} (so nothing is copied from a file that does not match).
     *
     * @throws CheckpointException naming the file when the checkpoint has none or it does not match
     */
    public static void restoreReference(Path folder, Map<String, NDArray> reference, NDManager manager) {
        checkReference(folder, reference);
        Path file = referenceFile(folder);
        try (NDManager scratch = manager.newSubManager()) {
            Safetensors.read(file, scratch, DataType.FLOAT32).forEach((name, saved) ->
                    InPlace.assign(reference.get(name), saved));
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

    /**
     * Loads a checkpoint's moments into {@code optimizer}, at the step of {@code state}, after
     * {@link #checkOptimizer} (so a moment missing or of another shape is refused rather than left at zero).
     *
     * @throws CheckpointException naming the file and tensor
     */
    public static void restoreOptimizer(Path folder, OptimizerState optimizer, TrainerState state,
            NDManager manager) {
        long steps = checkOptimizer(folder, optimizer, state.globalStep());
        if (OptimizerShards.present(folder)) {
            OptimizerShards.restore(folder, optimizer, steps, manager);
            return;
        }
        Path optimizerFile = folder.resolve(OPTIMIZER);
        try (NDManager scratch = manager.newSubManager()) {
            Map<String, NDArray> moments = Safetensors.read(optimizerFile, scratch, DataType.FLOAT32);
            optimizer.restore(moments, steps);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(optimizerFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * The updates the optimizer had applied, from the file's {@code steps} metadata: fewer than the trainer's steps
     * when float16 skipped overflowing ones, which AdamW's bias correction counts; {@code globalStep} for a file
     * written without it.
     *
     * @throws CheckpointException naming the file when the count is not a number from 0 to {@code globalStep}
     */
    static long optimizerSteps(Path file, long globalStep) {
        String value = Safetensors.header(file).metadata().get("steps");
        if (value == null) {
            return globalStep;
        }
        try {
            long steps = Long.parseLong(value.strip());
            if (steps >= 0 && steps <= globalStep) {
                return steps;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new CheckpointException(file + ": metadata 'steps' is '" + value + "', but the optimizer can have "
                + "applied from 0 to " + globalStep + " updates at this checkpoint's step");
    }

    private static boolean sameShapes(CausalLm a, CausalLm b) {
        return CausalLm.expectedShapes(a.config()).equals(CausalLm.expectedShapes(b.config()));
    }
}
