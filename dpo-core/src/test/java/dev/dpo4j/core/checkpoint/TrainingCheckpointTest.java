package dev.dpo4j.core.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.dpo4j.core.metrics.MetricsAccumulator;
import dev.dpo4j.core.optim.LossScaler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer state and the moved reference of a checkpoint, checked before they are trusted. */
class TrainingCheckpointTest {

    @TempDir
    Path tmp;

    @Test
    void theTrainerStateRoundTripsItsWindowAndRefusesStatesTrainingNeverReaches() throws IOException {
        Path folder = Files.createDirectories(tmp.resolve("checkpoint-6"));
        MetricsAccumulator.Window window = new MetricsAccumulator.Window(8, 5.5, 0.1, -0.2, 6, -40.25, -41.5, 0.5,
                0.25, 300, 1.5);
        TrainerState state = new TrainerState(6, 1.5, 11, 16, 4, window, 4L, new LossScaler.State(8192, 3));
        state.write(folder);
        assertThat(TrainerState.read(folder)).isEqualTo(state);

        String text = Files.readString(folder.resolve(TrainerState.FILE_NAME));
        Files.writeString(folder.resolve(TrainerState.FILE_NAME), text.replace("\"lastEvalStep\": 4",
                "\"lastEvalStep\": 7"));
        assertThatThrownBy(() -> TrainerState.read(folder)).isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(folder.resolve(TrainerState.FILE_NAME) + ": ")
                .hasMessageContaining("lastEvalStep 7");
        Files.writeString(folder.resolve(TrainerState.FILE_NAME), text.replace("\"scale\": 8192.0",
                "\"scale\": -1.0"));
        assertThatThrownBy(() -> TrainerState.read(folder)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("lossScale State[scale=-1.0, cleanSteps=3]");
        Files.writeString(folder.resolve(TrainerState.FILE_NAME), text.replace("\"pairs\": 8", "\"pairs\": -8"));
        assertThatThrownBy(() -> TrainerState.read(folder)).isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(folder.resolve(TrainerState.FILE_NAME) + ": cannot read trainer state");
        Files.writeString(folder.resolve(TrainerState.FILE_NAME), text.replace("\"globalStep\": 6",
                "\"globalStep\": \"six\""));
        assertThatThrownBy(() -> TrainerState.read(folder)).isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(folder.resolve(TrainerState.FILE_NAME) + ": cannot read trainer state");

        // a checkpoint written before the window and evaluation step were recorded still reads
        Files.writeString(folder.resolve(TrainerState.FILE_NAME), "{\"globalStep\": 6, \"epoch\": 1.5, \"seed\": 11,"
                + " \"trainPairs\": 16, \"globalBatchSize\": 4}");
        assertThat(TrainerState.read(folder)).isEqualTo(new TrainerState(6, 1.5, 11, 16, 4));

        assertThatThrownBy(() -> TrainingCheckpoint.checkStep(folder, state, 5))
                .hasMessage(folder.resolve(TrainerState.FILE_NAME) + ": globalStep 6 lies beyond the 5 steps this "
                        + "run trains for; resume with the max_steps or num_train_epochs that wrote it, or from an "
                        + "earlier checkpoint");
        TrainingCheckpoint.checkStep(folder, state, 6);
    }

    @Test
    void aMovedReferenceIsCheckedWholeBeforeAnyWeightIsCopied() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> reference = Map.of("a", manager.zeros(new Shape(2, 3)), "b",
                    manager.zeros(new Shape(4)));
            Path folder = Files.createDirectories(tmp.resolve("checkpoint-2"));
            Path file = folder.resolve(TrainingCheckpoint.REFERENCE);
            Safetensors.write(file, Map.of("a", manager.ones(new Shape(2, 3))), Map.of());
            assertThatThrownBy(() -> TrainingCheckpoint.restoreReference(folder, reference, manager))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessage(file + ": tensor 'b' is missing (1 of 2 tensors present)");
            assertThat(reference.get("a").toFloatArray()).containsOnly(0f);

            Safetensors.write(file, Map.of("a", manager.ones(new Shape(3, 2)), "b", manager.ones(new Shape(4))),
                    Map.of());
            assertThatThrownBy(() -> TrainingCheckpoint.restoreReference(folder, reference, manager))
                    .hasMessage(file + ": tensor 'a' has shape (3, 2) where this run's is (2, 3)");
            Safetensors.write(file, Map.of("a", manager.ones(new Shape(2, 3)).toType(DataType.FLOAT16, false),
                    "b", manager.ones(new Shape(4))), Map.of());
            assertThatThrownBy(() -> TrainingCheckpoint.restoreReference(folder, reference, manager))
                    .hasMessage(file + ": tensor 'a' is F16 where this run's is F32");
            Safetensors.write(file, Map.of("a", manager.ones(new Shape(2, 3)), "b", manager.ones(new Shape(4)),
                    "c", manager.ones(new Shape(1))), Map.of());
            assertThatThrownBy(() -> TrainingCheckpoint.restoreReference(folder, reference, manager))
                    .hasMessage(file + ": unexpected tensor 'c'");

            Safetensors.write(file, Map.of("a", manager.ones(new Shape(2, 3)), "b", manager.ones(new Shape(4))),
                    Map.of());
            TrainingCheckpoint.restoreReference(folder, reference, manager);
            assertThat(reference.get("b").toFloatArray()).containsOnly(1f);
        }
    }

    @Test
    void theOptimizerResumesAtTheUpdatesItAppliedNotAtTheTrainersStep() throws IOException {
        Path file = tmp.resolve("optimizer.safetensors");
        try (NDManager manager = NDManager.newBaseManager()) {
            Safetensors.write(file, Map.of("a", manager.ones(new Shape(2))), Map.of("steps", "3"));
            // float16 skipped two overflowing steps of five: bias correction counts the three applied
            assertThat(TrainingCheckpoint.optimizerSteps(file, 5)).isEqualTo(3);
            Safetensors.write(file, Map.of("a", manager.ones(new Shape(2))), Map.of());
            assertThat(TrainingCheckpoint.optimizerSteps(file, 5)).isEqualTo(5);
            Safetensors.write(file, Map.of("a", manager.ones(new Shape(2))), Map.of("steps", "6"));
            assertThatThrownBy(() -> TrainingCheckpoint.optimizerSteps(file, 5))
                    .isInstanceOf(CheckpointException.class).hasMessageContaining(file.toString())
                    .hasMessageContaining("metadata 'steps' is '6'");
        }
    }
}
