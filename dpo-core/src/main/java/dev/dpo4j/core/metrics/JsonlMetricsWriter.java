package dev.dpo4j.core.metrics;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.dpo4j.api.train.DpoMetrics;
import dev.dpo4j.api.train.TrainingListener;
import dev.dpo4j.api.train.TrainingSummary;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Appends every logged and evaluation metric set as one JSON object per line to a file (by default
 * {@code metrics.jsonl} in the output folder), under TRL's names; evaluation keys carry the {@code eval_} prefix.
 */
public final class JsonlMetricsWriter implements TrainingListener, AutoCloseable {

    /** The file name the trainer uses in its output folder. */
    public static final String FILE_NAME = "metrics.jsonl";

    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();
    private final Path file;
    private BufferedWriter writer;

    /** Writes to {@code file}, appending when it exists (a resumed run continues its log). */
    public JsonlMetricsWriter(Path file) {
        this.file = file;
    }

    @Override
    public void onLog(DpoMetrics metrics) {
        write(metrics.toMap(""));
    }

    @Override
    public void onEvaluation(DpoMetrics metrics) {
        write(metrics.toMap("eval_"));
    }

    @Override
    public void onTrainingEnd(TrainingSummary summary) {
        close();
    }

    private void write(Map<String, Double> values) {
        try {
            if (writer == null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
                writer = Files.newBufferedWriter(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            writer.write(GSON.toJson(values));
            writer.newLine();
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write metrics: " + e.getMessage(), e);
        }
    }

    /** Closes the file. */
    @Override
    public void close() {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException e) {
                throw new UncheckedIOException(file + ": cannot close metrics file", e);
            } finally {
                writer = null;
            }
        }
    }
}
