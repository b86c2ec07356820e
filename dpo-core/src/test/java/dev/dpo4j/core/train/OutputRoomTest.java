package dev.dpo4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.dpo4j.core.checkpoint.ModelFolder;
import dev.dpo4j.core.trained.FullModel;
import dev.dpo4j.hub.ModelFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The output folder's room is checked before training, and a final save that fails keeps the model elsewhere. */
class OutputRoomTest extends TinyModelTraining {

    @Test
    void anOutputFolderWithoutRoomForTheModelIsRefusedNamingTheNumbers() {
        RunOutput output = new RunOutput(trainer(tmp.resolve("out")).build().config(), modelDir);
        assertThatThrownBy(() -> output.requireRoom(1L << 60, 1L << 50))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("output_dir " + tmp.resolve("out")).hasMessageContaining("free")
                .hasMessageContaining("the final model takes about 1073741824.0 GiB")
                .hasMessageContaining("each checkpoint 1048576.0 GiB");
        output.requireRoom(1, 1); // a few bytes fit
    }

    @Test
    void aFinalSaveThatFailsKeepsTheModelElsewhereAndSaysWhere() throws IOException {
        Path file = Files.writeString(tmp.resolve("not-a-folder"), "x");
        RunOutput output = new RunOutput(trainer(file.resolve("out")).build().config(), modelDir);
        try (NDManager manager = NDManager.newBaseManager()) {
            FullModel model = new FullModel(ModelFolder.load(modelDir, manager), true, modelDir);
            assertThatThrownBy(() -> output.saveModel(model)).isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("cannot save the model into " + file.resolve("out"))
                    .hasMessageContaining("the trained model was saved to ")
                    .satisfies(e -> {
                        Matcher where = Pattern.compile("saved to (\\S+) instead").matcher(e.getMessage());
                        assertThat(where.find()).isTrue();
                        Path saved = Path.of(where.group(1));
                        assertThat(saved.resolve(ModelFiles.WEIGHTS)).isNotEmptyFile();
                        deleteRecursively(saved.getParent());
                    });
        }
    }

    private static void deleteRecursively(Path folder) {
        try (Stream<Path> paths = Files.walk(folder)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
