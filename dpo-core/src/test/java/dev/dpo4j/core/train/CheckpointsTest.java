package dev.dpo4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonParser;
import dev.dpo4j.api.train.TrainingListener;
import dev.dpo4j.api.train.TrainingPlan;
import dev.dpo4j.core.checkpoint.AtomicFolder;
import dev.dpo4j.core.checkpoint.CheckpointException;
import dev.dpo4j.testing.TrainedWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Checkpoints as TRL's users expect them: save_total_limit, resuming from the output folder, leftovers of a kill. */
class CheckpointsTest extends TinyModelTraining {

    /** 16 pairs in batches of 4: 4 steps an epoch; a row in metrics.jsonl every step. */
    private DpoTrainer.Builder base(Path out) {
        return trainer(out).learningRate(2e-3).perDeviceTrainBatchSize(4).loggingSteps(1).seed(11)
                .saveStrategy(SaveStrategy.STEPS);
    }

    @Test
    void saveTotalLimitKeepsExactlyTheNewestCheckpoints() throws IOException {
        Path out = tmp.resolve("out");
        base(out).maxSteps(5).saveSteps(1).saveTotalLimit(2).build().train();
        assertThat(children(out)).filteredOn(name -> name.contains("checkpoint"))
                .containsExactlyInAnyOrder("checkpoint-4", "checkpoint-5");
        assertThat(out.resolve("checkpoint-4/trainer_state.json")).exists();

        // no limit (TRL's None) keeps every one
        Path all = tmp.resolve("all");
        base(all).maxSteps(3).saveSteps(1).saveTotalLimit(null).build().train();
        assertThat(children(all)).filteredOn(name -> name.startsWith("checkpoint-")).hasSize(3);

        assertThatThrownBy(() -> base(tmp.resolve("bad")).saveTotalLimit(-1).build())
                .hasMessageContaining("save_total_limit must not be negative (0: keep every checkpoint), got -1");
    }

    @Test
    void resumingFromTheOutputFolderTakesItsNewestCheckpointAndKeepsOneMetricsRowPerStep() throws IOException {
        Path first = tmp.resolve("first");
        base(first).maxSteps(5).saveSteps(2).build().train();
        // a checkpoint folder without its trainer state is incomplete and never chosen
        Files.createDirectories(first.resolve("checkpoint-9"));
        assertThat(steps(first)).containsExactly(1L, 2L, 3L, 4L, 5L);

        Path other = tmp.resolve("other");
        base(other).maxSteps(6).saveSteps(2).resumeFromCheckpoint(first.resolve("checkpoint-4")).build().train();
        base(first).maxSteps(6).saveSteps(2).resumeFromCheckpoint(first).build().train();
        TrainedWeights.assertTrainedAlike(modelDir, other, first, 1e-6f);

        // step 5 of the first run is dropped before the resumed run writes it again; the earlier rows stay
        assertThat(steps(first)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(Files.readAllLines(first.resolve("metrics.jsonl"))).allSatisfy(line ->
                assertThat(line).matches("\\{\"step\":\\d+,\"epoch\":.*"));

        // resumed in place from an earlier checkpoint: checkpoint-6 is written over, the rows after step 4 again
        base(first).maxSteps(6).saveSteps(2).resumeFromCheckpoint(first.resolve("checkpoint-4")).build().train();
        TrainedWeights.assertTrainedAlike(modelDir, other, first, 1e-6f);
        TrainedWeights.assertTrainedAlike(modelDir, other.resolve("checkpoint-6"), first.resolve("checkpoint-6"),
                1e-6f);
        assertThat(first.resolve("checkpoint-6/trainer_state.json")).content().contains("\"globalStep\": 6");
        assertThat(steps(first)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    }

    @Test
    void trueAndLastMeanTheOutputFolderAndAHalfWrittenCheckpointIsRemovedAtStart() throws IOException {
        Path out = tmp.resolve("out");
        assertThat(DpoConfig.builder().resumeFromCheckpoint("true").outputDir(out).build().resumeFromCheckpoint())
                .isEqualTo(out);
        assertThat(DpoConfig.builder().outputDir(out).resumeFromCheckpoint("last").build().resumeFromCheckpoint())
                .isEqualTo(out);
        assertThat(DpoConfig.builder().outputDir(out).resumeFromCheckpoint(true).build().resumeFromCheckpoint())
                .isEqualTo(out);
        assertThat(DpoConfig.builder().outputDir(out).resumeFromCheckpoint("false").build().resumeFromCheckpoint())
                .isNull();
        assertThat(DpoConfig.builder().outputDir(out).resumeFromCheckpoint("some/checkpoint-3").build()
                .resumeFromCheckpoint()).isEqualTo(Path.of("some/checkpoint-3"));

        base(out).maxSteps(3).saveSteps(3).build().train();
        // what a kill while writing checkpoint-6 leaves behind
        assertThat(AtomicFolder.tempPrefix("checkpoint-6")).isEqualTo(".checkpoint-6.tmp-");
        Path planted = Files.createDirectories(out.resolve(".checkpoint-6.tmp-xyz"));
        Files.writeString(planted.resolve("model.safetensors"), "half");

        List<TrainingPlan> plans = new ArrayList<>();
        for (String last : List.of("last", "true")) {
            base(out).maxSteps(3).saveSteps(3).resumeFromCheckpoint(last).listener(new TrainingListener() {
                @Override
                public void onTrainingStart(TrainingPlan plan) {
                    plans.add(plan);
                }
            }).build().train();
        }
        assertThat(plans).extracting(TrainingPlan::startStep).containsExactly(3L, 3L);
        assertThat(planted).doesNotExist();
        assertThat(out.resolve("checkpoint-3/trainer_state.json")).exists();
    }

    @Test
    void noCheckpointToResumeFromIsAClearError() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Files.createDirectories(empty.resolve("checkpoint-2"));
        assertThatThrownBy(() -> base(empty).resumeFromCheckpoint(true).build().train())
                .isInstanceOf(CheckpointException.class)
                .hasMessage("resume_from_checkpoint " + empty + ": no valid checkpoint found (neither a checkpoint "
                        + "folder with trainer_state.json nor a folder holding a complete checkpoint-N folder)");
        Path missing = tmp.resolve("missing");
        assertThatThrownBy(() -> base(missing).resumeFromCheckpoint("last").build().train())
                .isInstanceOf(CheckpointException.class)
                .hasMessage("resume_from_checkpoint " + missing + ": no such folder");
    }

    private static List<String> children(Path folder) throws IOException {
        try (Stream<Path> list = Files.list(folder)) {
            return list.map(p -> p.getFileName().toString()).toList();
        }
    }

    /** The steps of the training rows of metrics.jsonl, in file order. */
    private static List<Long> steps(Path out) throws IOException {
        return Files.readAllLines(out.resolve("metrics.jsonl")).stream()
                .map(line -> JsonParser.parseString(line).getAsJsonObject().get("step").getAsLong()).toList();
    }
}
