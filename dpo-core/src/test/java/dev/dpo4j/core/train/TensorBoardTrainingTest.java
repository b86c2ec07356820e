package dev.dpo4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.dpo4j.core.metrics.tensorboard.EventFiles;
import dev.dpo4j.core.metrics.tensorboard.EventFiles.Event;
import dev.dpo4j.core.metrics.tensorboard.EventFiles.Point;
import dev.dpo4j.testing.TinyModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code report_to}: TensorBoard's events hold exactly the metrics of {@code metrics.jsonl}; none writes neither. */
class TensorBoardTrainingTest extends TinyModelTraining {

    @Test
    void theEventsHoldTheMetricsOfTheJsonlFileUnderTransformersTags() throws IOException {
        Path out = tmp.resolve("out");
        // 16 pairs in batches of 4: log and evaluate every 2 steps, 4 steps
        trainer(out).perDeviceTrainBatchSize(4).maxSteps(4).loggingSteps(2).evalSteps(2)
                .evalData(TinyModels.arithmetic(4)).reportTo(List.of("jsonl", "tensorboard")).build().train();

        List<Path> files = EventFiles.files(out.resolve("runs"));
        assertThat(files).hasSize(1);
        assertThat(files.get(0).getParent().getParent()).isEqualTo(out.resolve("runs"));
        assertThat(files.get(0).getFileName().toString()).matches("events\\.out\\.tfevents\\.\\d{10}\\..+");
        List<Event> events = EventFiles.read(files.get(0));
        assertThat(events.get(0).fileVersion()).isEqualTo("brain.Event:2");

        List<Point> expected = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
            JsonObject row = new Gson().fromJson(line, JsonObject.class);
            long step = row.get("step").getAsLong();
            // the writer stores each double of the file as a float, as TensorBoard's simple_value is
            for (Map.Entry<String, JsonElement> entry : row.entrySet()) {
                String key = entry.getKey();
                if (!key.equals("step")) {
                    String tag = key.startsWith("eval_") ? "eval/" + key.substring(5) : "train/" + key;
                    expected.add(new Point(tag, step, (float) entry.getValue().getAsDouble()));
                }
            }
        }
        List<Point> points = EventFiles.points(events);
        assertThat(points).containsExactlyElementsOf(expected);
        assertThat(points).extracting(Point::tag).contains("train/loss", "train/rewards/chosen",
                "train/rewards/accuracies", "train/logps/rejected", "train/learning_rate", "train/grad_norm",
                "eval/loss", "eval/rewards/margins");
        assertThat(points).extracting(Point::step).containsOnly(2L, 4L);
    }

    @Test
    void aResumedRunAppendsAnEventsFileToTheSameRun() throws IOException {
        Path out = tmp.resolve("out");
        trainer(out).perDeviceTrainBatchSize(4).maxSteps(4).loggingSteps(1).saveStrategy(SaveStrategy.STEPS)
                .saveSteps(2).reportTo(List.of("tensorboard")).build().train();
        trainer(out).perDeviceTrainBatchSize(4).maxSteps(4).loggingSteps(1).reportTo(List.of("tensorboard"))
                .resumeFromCheckpoint(out.resolve("checkpoint-2")).build().train();

        List<Path> files = EventFiles.files(out.resolve("runs"));
        assertThat(files).hasSize(2);
        assertThat(files.get(1).getParent()).isEqualTo(files.get(0).getParent());
        List<Event> resumed = EventFiles.read(files.get(1));
        assertThat(resumed.get(1).sessionStatus()).isEqualTo(1);
        assertThat(resumed.get(1).step()).isEqualTo(3);
        assertThat(EventFiles.points(resumed)).extracting(Point::step).containsOnly(3L, 4L);
        assertThat(out.resolve("metrics.jsonl")).doesNotExist();
    }

    @Test
    void reportToNoneWritesNeitherFileAndTheDefaultOnlyTheJsonl() {
        trainer(tmp.resolve("none")).maxSteps(2).loggingSteps(1).reportTo(List.of("none")).build().train();
        assertThat(tmp.resolve("none/metrics.jsonl")).doesNotExist();
        assertThat(tmp.resolve("none/runs")).doesNotExist();
        assertThat(tmp.resolve("none/model.safetensors")).exists();

        trainer(tmp.resolve("default")).maxSteps(2).loggingSteps(1).build().train();
        assertThat(tmp.resolve("default/metrics.jsonl")).exists();
        assertThat(tmp.resolve("default/runs")).doesNotExist();
    }

    @Test
    void anUnknownReporterIsRefusedNamingTheOption() {
        assertThatThrownBy(() -> trainer(tmp.resolve("out")).reportTo(List.of("tensorbord")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("report_to must be jsonl, tensorboard, all or none, got 'tensorbord'");
    }
}
