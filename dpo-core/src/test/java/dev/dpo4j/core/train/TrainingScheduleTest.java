package dev.dpo4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dpo4j.api.train.DpoMetrics;
import dev.dpo4j.api.train.TrainingListener;
import dev.dpo4j.api.train.TrainingSummary;
import dev.dpo4j.core.checkpoint.TrainerState;
import dev.dpo4j.testing.TinyModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** When checkpoints and evaluations happen, seen through the builder, the listener and the output folder only. */
class TrainingScheduleTest extends TinyModelTraining {

    /** Records the steps of evaluations and checkpoints. */
    private static final class Schedule implements TrainingListener {
        final List<Long> evaluations = new ArrayList<>();
        final List<Long> checkpoints = new ArrayList<>();
        final List<Path> checkpointDirs = new ArrayList<>();

        @Override
        public void onEvaluation(DpoMetrics metrics) {
            evaluations.add(metrics.step());
        }

        @Override
        public void onCheckpoint(Path dir, long step) {
            checkpoints.add(step);
            checkpointDirs.add(dir);
        }
    }

    private static List<String> checkpointFolders(Path out) throws IOException {
        try (Stream<Path> children = Files.list(out)) {
            return children.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("checkpoint"))
                    .sorted().toList();
        }
    }

    @Test
    void saveStrategyEpochWritesACheckpointAtTheEndOfEveryEpochOnly() throws IOException {
        Schedule schedule = new Schedule();
        Path out = tmp.resolve("out");
        // 8 pairs in batches of 4: 2 steps an epoch, 3 epochs
        TrainingSummary summary = trainer(out).trainData(TinyModels.arithmetic(8)).perDeviceTrainBatchSize(4)
                .numTrainEpochs(3).saveStrategy(SaveStrategy.EPOCH).listener(schedule).build().train();

        assertThat(summary.steps()).isEqualTo(6);
        assertThat(schedule.checkpoints).containsExactly(2L, 4L, 6L);
        assertThat(schedule.checkpointDirs).containsExactly(out.resolve("checkpoint-2"), out.resolve("checkpoint-4"),
                out.resolve("checkpoint-6"));
        assertThat(checkpointFolders(out)).containsExactlyInAnyOrder("checkpoint-2", "checkpoint-4", "checkpoint-6");
        for (int epoch = 1; epoch <= 3; epoch++) {
            Path checkpoint = out.resolve("checkpoint-" + 2 * epoch);
            assertThat(checkpoint.resolve("model.safetensors")).isRegularFile();
            assertThat(checkpoint.resolve("optimizer.safetensors")).isRegularFile();
            TrainerState state = TrainerState.read(checkpoint);
            assertThat(state.globalStep()).isEqualTo(2L * epoch);
            assertThat(state.epoch()).isEqualTo(epoch);
        }
    }

    @Test
    void saveStrategyNoWritesOnlyTheFinalModel() throws IOException {
        Schedule schedule = new Schedule();
        Path out = tmp.resolve("out");
        trainer(out).trainData(TinyModels.arithmetic(8)).perDeviceTrainBatchSize(4).numTrainEpochs(2)
                .saveStrategy(SaveStrategy.NO).listener(schedule).build().train();
        assertThat(schedule.checkpoints).isEmpty();
        assertThat(checkpointFolders(out)).isEmpty();
        assertThat(out.resolve("model.safetensors")).isRegularFile();
    }

    private List<Long> evaluations(String name, long maxSteps, long evalSteps) {
        Schedule schedule = new Schedule();
        TrainingSummary summary = trainer(tmp.resolve(name)).perDeviceTrainBatchSize(4)
                .evalData(TinyModels.arithmetic(4)).maxSteps(maxSteps).evalSteps(evalSteps).listener(schedule)
                .build().train();
        assertThat(summary.lastEval().step()).isEqualTo(maxSteps);
        return schedule.evaluations;
    }

    @Test
    void evalStepsEvaluatesEveryNStepsAndOnceAtTheEnd() {
        // the last step is a multiple: its evaluation is the final one, not repeated
        assertThat(evaluations("six", 6, 2)).containsExactly(2L, 4L, 6L);
        // it is not: one more evaluation after the last step
        assertThat(evaluations("five", 5, 2)).containsExactly(2L, 4L, 5L);
        // eval_steps 0: only at the end
        assertThat(evaluations("none", 3, 0)).containsExactly(3L);
    }
}
