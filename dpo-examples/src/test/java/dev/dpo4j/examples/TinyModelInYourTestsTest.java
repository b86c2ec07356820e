package dev.dpo4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dpo4j.api.train.TrainingSummary;
import dev.dpo4j.core.train.DpoTrainer;
import dev.dpo4j.testing.TinyModels;
import dev.dpo4j.testing.TrainedWeights;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's example of a user's own test on a tiny model from {@code dev.dpo4j.testing}. */
class TinyModelInYourTestsTest {

    @Test
    void trainsATinyModel(@TempDir Path tmp) {
        Path model = TinyModels.writeModel(tmp.resolve("model"), "qwen2", 42);
        TrainingSummary summary = DpoTrainer.builder()
                .modelPath(model)
                .trainData(TinyModels.arithmetic(16))
                .outputDir(tmp.resolve("out"))
                .maxSteps(4)
                .loggingSteps(2)
                .progressBar(false)
                .build()
                .train();

        assertThat(summary.steps()).isEqualTo(4);
        assertThat(summary.lastTrain().loss()).isFinite().isPositive();
        assertThat(tmp.resolve("out/model.safetensors")).isNotEmptyFile();
        TrainedWeights.assertTrained(model, tmp.resolve("out"));
    }
}
