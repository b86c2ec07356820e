package dev.dpo4j.core.checkpoint;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
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
 */
public record TrainerState(long globalStep, double epoch, long seed, long trainPairs, int globalBatchSize) {

    /** The file name inside a checkpoint. */
    public static final String FILE_NAME = "trainer_state.json";

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    /** Writes the state into {@code folder}, through a temporary file (a reader never sees half of it). */
    public void write(Path folder) throws IOException {
        AtomicFiles.writeString(folder.resolve(FILE_NAME), GSON.toJson(this) + "\n");
    }

    /** Reads the state of a checkpoint folder; errors name the file. */
    public static TrainerState read(Path folder) {
        Path file = folder.resolve(FILE_NAME);
        try {
            TrainerState state = GSON.fromJson(Files.readString(file), TrainerState.class);
            if (state == null) {
                throw new CheckpointException(file + ": empty trainer state");
            }
            return state;
        } catch (IOException | JsonParseException e) {
            throw new CheckpointException(file + ": cannot read trainer state: " + e.getMessage(), e);
        }
    }
}
