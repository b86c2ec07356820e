package dev.dpo4j.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dpo4j.api.train.DpoMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlMetricsWriterTest {

    @TempDir
    Path tmp;

    @Test
    void stepIsWrittenAsAnInteger() throws IOException {
        Path file = tmp.resolve("metrics.jsonl");
        try (JsonlMetricsWriter writer = new JsonlMetricsWriter(file)) {
            writer.onLog(new DpoMetrics(12, 0.5, 0.69, 0, 0, 0.5, 0, -3, -4, 0.1, 0.2, 1e-3, 1.5, 100));
            writer.onEvaluation(new DpoMetrics(12, 0.5, 0.7, 0, 0, 0.5, 0, -3, -4, 0.1, 0.2, Double.NaN,
                    Double.NaN, 90));
        }
        assertThat(Files.readAllLines(file)).hasSize(2).allSatisfy(line ->
                assertThat(line).startsWith("{\"step\":12,\"epoch\":0.5,"));
    }

    @Test
    void rowsAfterTheResumedStepAreDroppedAndTheOthersKept() throws IOException {
        Path file = tmp.resolve("metrics.jsonl");
        Files.writeString(file, String.join("\n", "{\"step\":1,\"loss\":0.7}", "{\"step\":2.0,\"loss\":0.6}",
                "{\"step\":2,\"eval_loss\":0.65}", "a note of the user's", "{\"step\":3,\"loss\":0.5}",
                "{\"step\":4,\"loss\":0.4}", "{\"step\":5,\"lo"));
        assertThat(JsonlMetricsWriter.dropRowsAfter(file, 2)).isEqualTo(3);
        assertThat(Files.readAllLines(file)).containsExactly("{\"step\":1,\"loss\":0.7}",
                "{\"step\":2.0,\"loss\":0.6}", "{\"step\":2,\"eval_loss\":0.65}", "a note of the user's");
        // nothing to drop: the file is left alone; no file: nothing to do
        assertThat(JsonlMetricsWriter.dropRowsAfter(file, 2)).isZero();
        assertThat(JsonlMetricsWriter.dropRowsAfter(tmp.resolve("none.jsonl"), 0)).isZero();
        try (var left = Files.list(tmp)) {
            assertThat(left).containsExactly(file);
        }
    }
}
