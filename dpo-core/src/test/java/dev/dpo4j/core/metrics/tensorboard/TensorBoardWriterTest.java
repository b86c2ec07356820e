package dev.dpo4j.core.metrics.tensorboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dpo4j.api.train.DpoMetrics;
import dev.dpo4j.api.train.TrainingPlan;
import dev.dpo4j.core.metrics.tensorboard.EventFiles.Event;
import dev.dpo4j.core.metrics.tensorboard.EventFiles.Point;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The events files: TFRecord framing, the Event fields, transformers' tags, run folders and resumed runs. */
class TensorBoardWriterTest {

    @TempDir
    Path tmp;

    private static DpoMetrics metrics(long step, double loss, double learningRate) {
        return new DpoMetrics(step, step / 4.0, loss, 0.5, -0.25, 0.75, 0.75, -10, -12, 1.5, 1.25, learningRate, 2.5,
                100);
    }

    private static TrainingPlan plan(long startStep) {
        return new TrainingPlan(16, 0, 4, 1, 8, startStep, 4, 1, "cpu()", "float32", "");
    }

    @Test
    void theMaskedChecksumIsTensorFlows() {
        // CRC32C's check value, then TensorFlow's mask of it
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(check);
        assertThat(crc.getValue()).isEqualTo(0xE3069283L);
        int rotated = (0xE3069283 >>> 15) | (0xE3069283 << 17);
        assertThat(TfRecordWriter.maskedCrc32c(check, 0, check.length)).isEqualTo(rotated + 0xa282ead8)
                .isEqualTo(EventFiles.masked(check, 0, check.length));
    }

    @Test
    void transformersTagsTrainAndEvalMetrics() {
        assertThat(TensorBoardWriter.tag("loss")).isEqualTo("train/loss");
        assertThat(TensorBoardWriter.tag("rewards/chosen")).isEqualTo("train/rewards/chosen");
        assertThat(TensorBoardWriter.tag("eval_rewards/margins")).isEqualTo("eval/rewards/margins");
        assertThat(TensorBoardWriter.tag("epoch")).isEqualTo("train/epoch");
    }

    @Test
    void aRunWritesTheFileVersionThenEachScalarAtItsStep() throws IOException {
        Path runs = tmp.resolve("runs");
        try (TensorBoardWriter writer = new TensorBoardWriter(runs)) {
            writer.onTrainingStart(plan(0));
            writer.onLog(metrics(2, 0.69, 1e-6));
            DpoMetrics eval = new DpoMetrics(2, 0.5, 0.6, 0.1, -0.1, 1, 0.2, -9, -11, 1, 1, Double.NaN, Double.NaN, 50);
            writer.onEvaluation(eval);
            // each record is flushed: the file is complete before it is closed
            Path file = writer.file().orElseThrow();
            List<Event> events = EventFiles.read(file);
            assertThat(events.get(0).fileVersion()).isEqualTo("brain.Event:2");
            assertThat(events.get(0).wallTime()).isCloseTo(System.currentTimeMillis() / 1000.0,
                    org.assertj.core.data.Offset.offset(60.0));
            assertThat(events.subList(1, events.size())).allMatch(e -> e.values().size() == 1 && e.step() == 2
                    && e.fileVersion() == null && e.wallTime() >= events.get(0).wallTime());
            List<Point> points = EventFiles.points(events);
            assertThat(points).startsWith(new Point("train/epoch", 2, 0.5f), new Point("train/loss", 2, 0.69f),
                    new Point("train/rewards/chosen", 2, 0.5f));
            assertThat(points).contains(new Point("train/learning_rate", 2, 1e-6f),
                    new Point("train/grad_norm", 2, 2.5f), new Point("train/tokens_per_second", 2, 100f),
                    new Point("eval/loss", 2, 0.6f), new Point("eval/rewards/accuracies", 2, 1f),
                    new Point("train/epoch", 2, 0.5f));
            // NaN values (an evaluation's learning rate) are left out, as in metrics.jsonl
            assertThat(points).extracting(Point::tag).doesNotContain("eval/learning_rate", "train/step", "eval/step");
            assertThat(points).hasSize(13 + 11);
        }
        List<Path> folders = list(runs);
        assertThat(folders).hasSize(1);
        assertThat(folders.get(0).getFileName().toString()).matches("[A-Z][a-z]{2}\\d{2}_\\d{2}-\\d{2}-\\d{2}_.+");
        assertThat(list(folders.get(0))).singleElement().satisfies(file -> assertThat(file.getFileName().toString())
                .matches("events\\.out\\.tfevents\\.\\d{10}\\." + java.util.regex.Pattern.quote(
                        TensorBoardWriter.hostname())));
    }

    @Test
    void aResumedRunAddsAFileToTheLatestRunThatDropsWhatCameAfterItsCheckpoint() throws IOException {
        Path runs = tmp.resolve("runs");
        try (TensorBoardWriter first = new TensorBoardWriter(runs)) {
            first.onTrainingStart(plan(0));
            first.onLog(metrics(2, 0.7, 1e-6));
            first.onLog(metrics(4, 0.6, 1e-6));
        }
        try (TensorBoardWriter resumed = new TensorBoardWriter(runs)) {
            resumed.onTrainingStart(plan(2));
            resumed.onLog(metrics(4, 0.5, 1e-6));
        }
        assertThat(list(runs)).hasSize(1);
        List<Path> files = EventFiles.files(runs);
        assertThat(files).hasSize(2);
        List<Event> second = EventFiles.read(files.get(1));
        assertThat(second.get(0).fileVersion()).isEqualTo("brain.Event:2");
        // SessionLog.START at the first step after the checkpoint
        assertThat(second.get(1).sessionStatus()).isEqualTo(1);
        assertThat(second.get(1).step()).isEqualTo(3);
        assertThat(EventFiles.points(second)).contains(new Point("train/loss", 4, 0.5f));
        assertThat(EventFiles.points(EventFiles.read(files.get(0)))).contains(new Point("train/loss", 4, 0.6f));

        // a run started afresh gets a run folder of its own
        try (TensorBoardWriter fresh = new TensorBoardWriter(runs)) {
            fresh.onTrainingStart(plan(0));
        }
        assertThat(list(runs)).hasSize(2);
    }

    private static List<Path> list(Path folder) throws IOException {
        try (Stream<Path> children = Files.list(folder)) {
            return children.sorted().toList();
        }
    }
}
