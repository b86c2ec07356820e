package dev.dpo4j.core.metrics;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.dpo4j.api.train.DpoMetrics;
import dev.dpo4j.api.train.TrainingListener;
import dev.dpo4j.api.train.TrainingSummary;
import dev.dpo4j.hub.files.AtomicFiles;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Appends every logged and evaluation metric set as one JSON object per line to a file (by default
 * {@code metrics.jsonl} in the output folder), under TRL's names; evaluation keys carry the {@code eval_} prefix and
 * {@code step} is written as an integer.
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

    /**
     * Drops the rows of {@code file} whose step is above {@code step}, the ones a run resumed at {@code step} writes
     * again, rewriting the file through a temporary file; the other rows (and lines that are no metrics row) are kept
     * as they are, except a last line cut short by a kill.
     *
     * @return the number of lines dropped (0 when the file does not exist)
     */
    public static int dropRowsAfter(Path file, long step) throws IOException {
        return dropRowsAfter(file, step, false);
    }

    /**
     * As {@link #dropRowsAfter(Path, long)}, also dropping the evaluation rows at {@code step} itself when
     * {@code evaluationsAtStep}: an evaluation written after the checkpoint at that step was saved (the final one),
     * which the resumed run writes again.
     */
    public static int dropRowsAfter(Path file, long step, boolean evaluationsAtStep) throws IOException {
        if (!Files.isRegularFile(file)) {
            return 0;
        }
        String content = Files.readString(file);
        List<String> lines = content.lines().toList();
        StringBuilder kept = new StringBuilder(content.length());
        int dropped = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Long rowStep = step(line);
            boolean torn = i == lines.size() - 1 && !content.endsWith("\n") && rowStep == null && !line.isBlank();
            if (torn || (rowStep != null && rowStep > step)
                    || (evaluationsAtStep && rowStep != null && rowStep == step && isEvaluation(line))) {
                dropped++;
            } else {
                kept.append(line).append(System.lineSeparator());
            }
        }
        if (dropped > 0) {
            AtomicFiles.writeString(file, kept.toString());
        }
        return dropped;
    }

    /** Whether a row holds evaluation metrics ({@code eval_} keys). */
    private static boolean isEvaluation(String line) {
        return JsonParser.parseString(line).getAsJsonObject().keySet().stream().anyMatch(k -> k.startsWith("eval_"));
    }

    /** The {@code step} of a row, or null when the line is no JSON object with a numeric step. */
    private static Long step(String line) {
        try {
            JsonElement row = JsonParser.parseString(line);
            JsonElement step = row.isJsonObject() ? row.getAsJsonObject().get("step") : null;
            return step != null && step.isJsonPrimitive() && step.getAsJsonPrimitive().isNumber()
                    ? (long) step.getAsDouble() : null;
        } catch (JsonParseException e) {
            return null;
        }
    }

    @Override
    public void onLog(DpoMetrics metrics) {
        write(metrics, "");
    }

    @Override
    public void onEvaluation(DpoMetrics metrics) {
        write(metrics, "eval_");
    }

    @Override
    public void onTrainingEnd(TrainingSummary summary) {
        close();
    }

    private void write(DpoMetrics metrics, String prefix) {
        Map<String, Object> values = new LinkedHashMap<>(metrics.toMap(prefix));
        values.put("step", metrics.step());
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
