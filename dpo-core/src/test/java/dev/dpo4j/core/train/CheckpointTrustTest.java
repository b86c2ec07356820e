package dev.dpo4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.dpo4j.core.checkpoint.CheckpointException;
import dev.dpo4j.core.checkpoint.Safetensors;
import dev.dpo4j.testing.TinyModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A checkpoint is checked whole before it is trusted: an edited or damaged one is refused with its file named, and
 * nothing in the output folder (metrics, model, checkpoints) changes. A resumed run's metrics.jsonl equals the
 * uninterrupted run's.
 */
class CheckpointTrustTest extends TinyModelTraining {

    /** 16 pairs in batches of 4: 4 steps an epoch; a row in metrics.jsonl every step; checkpoints at 2 and 4. */
    private DpoTrainer.Builder base(Path out) {
        return trainer(out).learningRate(2e-3).perDeviceTrainBatchSize(4).loggingSteps(1).seed(11)
                .saveStrategy(SaveStrategy.STEPS).saveSteps(2).maxSteps(4);
    }

    @Test
    void editedStepsAreRefusedBeforeAnythingIsDeletedOrOverwritten() throws IOException {
        Path out = tmp.resolve("out");
        base(out).build().train();
        Path state = out.resolve("checkpoint-4/trainer_state.json");
        String original = Files.readString(state);

        Files.writeString(state, original.replace("\"globalStep\": 4", "\"globalStep\": -5"));
        assertRefusedUnchanged(out, state + ": globalStep -5, epoch");

        Files.writeString(state, original.replace("\"globalStep\": 4", "\"globalStep\": 2"));
        assertRefusedUnchanged(out, state + ": globalStep 2 differs from the step 4 of its folder's name");

        // a step beyond the plan, in a folder of that name and in a folder named otherwise
        Files.writeString(state, original);
        Path far = out.resolve("checkpoint-99999");
        Files.move(out.resolve("checkpoint-4"), far);
        Files.writeString(far.resolve("trainer_state.json"), original.replace("\"globalStep\": 4",
                "\"globalStep\": 99999"));
        assertRefusedUnchanged(out, far.resolve("trainer_state.json")
                + ": globalStep 99999 lies beyond the 4 steps this run trains for");
        Path renamed = out.resolve("kept");
        Files.move(far, renamed);
        Snapshot renamedSnapshot = Snapshot.of(out);
        assertThatThrownBy(() -> base(out).resumeFromCheckpoint(renamed).build().train())
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(renamed.resolve("trainer_state.json") + ": globalStep 99999 lies beyond");
        assertThat(Snapshot.of(out)).isEqualTo(renamedSnapshot);
    }

    @Test
    void anOptimizerStateLackingAMomentOrOfAnotherShapeIsRefused() throws IOException {
        Path out = tmp.resolve("out");
        base(out).build().train();
        Path optimizer = out.resolve("checkpoint-4/optimizer.safetensors");
        String moment = "exp_avg_sq.model.layers.1.mlp.down_proj.weight";
        rewrite(optimizer, tensors -> tensors.remove(moment).close());
        assertRefusedUnchanged(out, optimizer + ": tensor '" + moment + "' is missing");

        base(tmp.resolve("again")).build().train();
        Path other = tmp.resolve("again/checkpoint-4/optimizer.safetensors");
        rewrite(other, tensors -> tensors.put(moment, tensors.get(moment).reshape(-1)));
        assertRefusedUnchanged(tmp.resolve("again"), other + ": tensor '" + moment + "' has shape (2048) where "
                + "this run's is (32, 64)");
    }

    @Test
    void aSeedOrDataMismatchNamesTheStateFileAndChangesNothing() throws IOException {
        Path out = tmp.resolve("out");
        base(out).build().train();
        Snapshot before = Snapshot.of(out);
        assertThatThrownBy(() -> base(out).seed(12).resumeFromCheckpoint(true).build().train())
                .isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(out.resolve("checkpoint-4/trainer_state.json") + ": was written with seed 11");
        assertThat(Snapshot.of(out)).isEqualTo(before);
    }

    @Test
    void resumingAFinishedRunWritesNoSecondEvaluationRow() throws IOException {
        for (long evalSteps : List.of(0L, 2L, 3L)) {
            Path out = tmp.resolve("eval" + evalSteps);
            base(out).evalData(TinyModels.arithmetic(4)).evalSteps(evalSteps).build().train();
            List<String> rows = Files.readAllLines(out.resolve("metrics.jsonl"));
            base(out).evalData(TinyModels.arithmetic(4)).evalSteps(evalSteps).resumeFromCheckpoint(true).build()
                    .train();
            assertThat(withoutTimings(out)).as("eval_steps %d", evalSteps).isEqualTo(withoutTimings(rows));
            assertThat(rows.stream().filter(r -> r.contains("eval_loss") && r.contains("\"step\":4,")))
                    .as("eval_steps %d", evalSteps).hasSize(1);
        }
    }

    @Test
    void aResumedRunLogsTheSameAveragesAsAnUninterruptedOne() throws IOException {
        // logging every 2 steps, checkpoints every 3: the window open at step 3 is saved and continued
        Path whole = tmp.resolve("whole");
        base(whole).loggingSteps(2).saveSteps(3).maxSteps(6).build().train();
        Path resumed = tmp.resolve("resumed");
        base(resumed).loggingSteps(2).saveSteps(3).maxSteps(6).build().train();
        base(resumed).loggingSteps(2).saveSteps(3).maxSteps(6).resumeFromCheckpoint(resumed.resolve("checkpoint-3"))
                .build().train();
        assertThat(withoutTimings(resumed)).hasSize(3).isEqualTo(withoutTimings(whole));
    }

    private void assertRefusedUnchanged(Path out, String message) throws IOException {
        Snapshot before = Snapshot.of(out);
        assertThatThrownBy(() -> base(out).resumeFromCheckpoint(true).build().train())
                .isInstanceOf(CheckpointException.class).hasMessageContaining(message);
        assertThat(Snapshot.of(out)).isEqualTo(before);
    }

    private static void rewrite(Path file, Consumer<Map<String, NDArray>> edit) throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>(Safetensors.read(file, manager, DataType.FLOAT32));
            edit.accept(tensors);
            Safetensors.write(file, tensors, Map.of());
        }
    }

    private static List<JsonObject> withoutTimings(Path out) throws IOException {
        return withoutTimings(Files.readAllLines(out.resolve("metrics.jsonl")));
    }

    private static List<JsonObject> withoutTimings(List<String> rows) {
        return rows.stream().map(r -> {
            JsonObject row = JsonParser.parseString(r).getAsJsonObject();
            row.remove("tokens_per_second");
            row.remove("eval_tokens_per_second");
            return row;
        }).toList();
    }

    /** Every file of a folder with its bytes' hash and length. */
    private record Snapshot(Map<String, String> files) {
        static Snapshot of(Path folder) throws IOException {
            Map<String, String> files = new java.util.TreeMap<>();
            try (var walk = Files.walk(folder)) {
                for (Path p : walk.filter(Files::isRegularFile).toList()) {
                    byte[] bytes = Files.readAllBytes(p);
                    files.put(folder.relativize(p).toString(), bytes.length + ":" + java.util.Arrays.hashCode(bytes));
                }
            }
            return new Snapshot(files);
        }
    }
}
