package dev.dpo4j.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dpo4j.api.train.DpoMetrics;
import dev.dpo4j.api.train.TrainingPlan;
import dev.dpo4j.api.train.TrainingSummary;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import me.tongfei.progressbar.ProgressState;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {

    static DpoMetrics metrics(long step) {
        return new DpoMetrics(step, 0.5, 0.1177, 4.448, -0.895, 0.971, 5.344, -20, -30, 1, 2, 1e-3, 0.5, 1234.4);
    }

    @Test
    void withoutAConsoleItPrintsOnePlainLinePerLogAndNoCursorCodes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConsoleProgress progress = new ConsoleProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
        progress.onTrainingStart(new TrainingPlan(100, 0, 10, 1, 240, 0, 8, 1, "cpu()", "float32", ""));
        for (long step = 1; step <= 10; step++) {
            progress.onStep(step, 240);
            if (step % 5 == 0) {
                progress.onLog(metrics(step));
            }
        }
        progress.onEvaluation(metrics(10));
        progress.onTrainingEnd(new TrainingSummary(10, false, 1, null, null, null));

        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).doesNotContain("\r").doesNotContain("\u001b");
        assertThat(text.lines()).hasSize(3);
        assertThat(text.lines().findFirst().orElseThrow()).startsWith("step 5/240 (2%): loss 0.1177, reward "
                + "accuracy 0.971, reward margin 5.344, 1234 tokens/s, 0:00:0");
        assertThat(text).contains("eval @ step 10: loss 0.1177");
    }

    @Test
    void thePlainLineEstimatesTheTimeLeft() {
        ConsoleProgress progress = new ConsoleProgress(System.err, false);
        progress.onTrainingStart(new TrainingPlan(100, 0, 10, 1, 200, 100, 8, 1, "cpu()", "float32", ""));
        assertThat(progress.plainLine(metrics(150), Duration.ofSeconds(50)))
                .endsWith("0:00:50 elapsed, ETA 0:00:50");
    }

    @Test
    void theBarFitsTheWidthAndKeepsTheNumbers() throws ReflectiveOperationException {
        Constructor<ProgressState> create = ProgressState.class.getDeclaredConstructor(String.class, long.class,
                long.class, Duration.class);
        create.setAccessible(true);
        ProgressState state = create.newInstance("dpo", 240L, 0L, Duration.ZERO);
        var stepTo = ProgressState.class.getDeclaredMethod("stepTo", long.class);
        stepTo.setAccessible(true);
        stepTo.invoke(state, 100L);
        var extra = ProgressState.class.getDeclaredMethod("setExtraMessage", String.class);
        extra.setAccessible(true);
        extra.invoke(state, "loss 0.1802 acc 0.90 margin 3.620 1234 tok/s");

        StepBarRenderer renderer = new StepBarRenderer();
        for (int width : new int[] {60, 80, 120, 200}) {
            String line = renderer.render(state, width);
            assertThat(line.length()).as(line).isLessThan(Math.max(width, 71));
            assertThat(line).contains("100/240").contains("loss 0.1802 acc 0.90 margin 3.620 1234 tok/s");
        }
        assertThat(renderer.render(state, 120)).startsWith("dpo  41% [").contains("0:00:00<");
        assertThat(renderer.render(state, 60)).doesNotContain("[");
    }
}
