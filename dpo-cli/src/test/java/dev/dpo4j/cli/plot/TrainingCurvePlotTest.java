package dev.dpo4j.cli.plot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dpo4j.api.train.DpoMetrics;
import dev.dpo4j.api.train.TrainingPlan;
import dev.dpo4j.api.train.TrainingSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingCurvePlotTest {

    @TempDir
    Path out;

    private static DpoMetrics at(long step) {
        return new DpoMetrics(step, step / 4.0, 0.7 - step / 100.0, 0, 0, 0.5, 0.1, -3, -4, 0, 0, 1e-3, 1, 100);
    }

    @Test
    void aResumedRunDrawsTheStepsBeforeItFromMetricsJsonl() throws IOException {
        // what the first run wrote up to its checkpoint at step 2 (a resumed run drops the rows after it)
        Files.writeString(out.resolve("metrics.jsonl"), "{\"step\":1,\"epoch\":0.25,\"loss\":0.69}\n"
                + "{\"step\":2,\"epoch\":0.5,\"loss\":0.68}\n{\"step\":2,\"epoch\":0.5,\"eval_loss\":0.7}\n"
                + "{\"step\":3,\"epoch\":0.75,\"loss\":0.67}\n{\"step\":4,\"epoch\":1.0,\"loss\":0.66}\n");
        TrainingCurvePlot plot = new TrainingCurvePlot();
        plot.onTrainingStart(new TrainingPlan(16, 0, 0, 1, 4, 2, 4, 1, "cpu()", "float32", ""));
        plot.onLog(at(3));
        plot.onLog(at(4));
        plot.onTrainingEnd(new TrainingSummary(4, false, 1, at(4), null, out));

        assertThat(plot.trainPoints()).extracting(DpoMetrics::step).containsExactly(1L, 2L, 3L, 4L);
        assertThat(plot.trainPoints().get(0).loss()).isEqualTo(0.69);
        assertThat(plot.written()).isEqualTo(out.resolve(TrainingCurvePlot.FILE_NAME)).isNotEmptyFile();
    }
}
