package dev.dpo4j.core.checkpoint;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.dpo4j.core.metrics.MetricsAccumulator;
import dev.dpo4j.core.optim.LossScaler;
import dev.dpo4j.hub.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where training stood when a checkpoint was written, saved as {@code trainer_state.json}.
 *
 * @param globalStep optimizer steps completed
 * @param epoch fractional epoch at that step
 * @param seed the data-order seed the run used (a resumed run must use the same)
 * @param trainPairs training pairs after filtering (a resumed run must see the same data)
 * @param globalBatchSize pairs per step, per-device batch x accumulation x devices (a resumed run must use the
 *     same, or its steps would cover other pairs); 0 in checkpoints written before it was recorded
 * @param loggingWindow the sums of the logging window still open at {@code globalStep} (steps since the last logged
 *     row), which the resumed run continues; null in checkpoints written before it was recorded
 * @param lastEvalStep the step of the last evaluation before the checkpoint was written (0: none); null in
 *     checkpoints written before it was recorded
 * @param lossScale float16's loss scale and its count of clean steps; null in checkpoints written before it was
 *     recorded
 */
public record TrainerState(long globalStep, double epoch, long seed, long trainPairs, int globalBatchSize,
        MetricsAccumulator.Window loggingWindow, Long lastEvalStep, LossScaler.State lossScale) {

    /** The file name inside a checkpoint. */
    public static final String FILE_NAME = "trainer_state.json";

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
            .create();

    /** A state without a logging window, evaluation or loss scale. */
    public TrainerState(long globalStep, double epoch, long seed, long trainPairs, int globalBatchSize) {
        this(globalStep, epoch, seed, trainPairs, globalBatchSize, null, null, null);
    }

    /** Writes the state into {@code folder}, through a temporary file (a reader never sees half of it). */
    public void write(Path folder) throws IOException {
        AtomicFiles.writeString(folder.resolve(FILE_NAME), GSON.toJson(this) + "\n");
    }

    /**
     * Reads the state of a checkpoint folder and checks it on its own: no negative step, pair count, batch or
     * evaluation step, a finite epoch, a logging window of non-negative counts, and, in a folder named
     * {@code checkpoint-STEP}, the step of its name; errors name the file.
     */
    public static TrainerState read(Path folder) {
        Path file = folder.resolve(FILE_NAME);
        TrainerState state;
        try {
            state = GSON.fromJson(Files.readString(file), TrainerState.class);
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(file + ": cannot read trainer state: " + e.getMessage(), e);
        }
        if (state == null) {
            throw new CheckpointException(file + ": empty trainer state");
        }
        if (state.globalStep() < 0 || state.trainPairs() < 0 || state.globalBatchSize() < 0
                || !Double.isFinite(state.epoch()) || state.epoch() < 0
                || (state.lastEvalStep() != null && (state.lastEvalStep() < 0
                        || state.lastEvalStep() > state.globalStep()))
                || (state.lossScale() != null && (!(state.lossScale().scale() > 0)
                        || !Double.isFinite(state.lossScale().scale()) || state.lossScale().cleanSteps() < 0))) {
            throw new CheckpointException(file + ": globalStep " + state.globalStep() + ", epoch " + state.epoch()
                    + ", trainPairs " + state.trainPairs() + ", globalBatchSize " + state.globalBatchSize()
                    + ", lastEvalStep " + state.lastEvalStep() + " and lossScale " + state.lossScale()
                    + " are no state training reaches (none may be negative; no evaluation after the step; a positive "
                    + "finite loss scale)");
        }
        long named = CheckpointFolders.step(folder);
        if (named >= 0 && named != state.globalStep()) {
            throw new CheckpointException(file + ": globalStep " + state.globalStep() + " differs from the step "
                    + named + " of its folder's name; the checkpoint has been edited or mixed up with another");
        }
        return state;
    }
}
