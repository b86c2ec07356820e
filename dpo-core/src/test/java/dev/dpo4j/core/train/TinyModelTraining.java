package dev.dpo4j.core.train;

import dev.dpo4j.testing.TinyModels;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** Base of the training tests: a tiny Qwen2 model folder written once per class and a fresh folder per test. */
abstract class TinyModelTraining {

    @TempDir
    static Path shared;
    static Path modelDir;

    @TempDir
    Path tmp;

    @BeforeAll
    static void writeModel() {
        modelDir = TinyModels.writeModel(shared.resolve("tiny-qwen2"), "qwen2", 3);
    }

    /** A trainer on the tiny model and 16 arithmetic pairs, writing into {@code out}, without a progress bar. */
    static DpoTrainer.Builder trainer(Path out) {
        return DpoTrainer.builder().modelPath(modelDir).trainData(TinyModels.arithmetic(16)).outputDir(out)
                .beta(0.1).progressBar(false);
    }
}
