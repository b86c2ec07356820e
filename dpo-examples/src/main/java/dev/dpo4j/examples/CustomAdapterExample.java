package dev.dpo4j.examples;

import com.google.gson.Gson;
import dev.dpo4j.adapters.LoadOptions;
import dev.dpo4j.adapters.PreferenceDataset;
import dev.dpo4j.adapters.PreferenceDatasets;
import dev.dpo4j.api.data.DatasetAdapter;
import dev.dpo4j.api.data.DatasetRow;
import dev.dpo4j.api.data.PreferenceExample;
import dev.dpo4j.api.train.TrainingSummary;
import dev.dpo4j.core.checkpoint.AtomicFolder;
import dev.dpo4j.core.train.DpoTrainer;
import dev.dpo4j.cli.embedded.EmbeddedDataset;
import dev.dpo4j.cli.embedded.EmbeddedDefaults;
import dev.dpo4j.cli.embedded.EmbeddedModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A custom {@link DatasetAdapter} for a schema none of the built-in adapters knows: rated answers,
 *
 * <pre>{"question": "...", "answers": [{"text": "...", "rating": 5}, {"text": "...", "rating": 1}, ...]}</pre>
 *
 * <p>Each row yields one pair per lower-rated answer: the best answer is chosen, the other rejected. Rows whose
 * answers all share one rating yield no pair; malformed rows throw {@link dev.dpo4j.api.data.DataFormatException}
 * through {@link DatasetRow}'s accessors, naming file, row and field, and are skipped in lenient mode.
 *
 * <p>Run: {@code CustomAdapterExample [output-dir [max-steps]]}.
 */
public final class CustomAdapterExample {

    /** The adapter: best-rated answer versus each lower-rated one. */
    public static final class RatedAnswersAdapter implements DatasetAdapter {
        @Override
        public List<PreferenceExample> toExamples(DatasetRow row) {
            String question = row.string("question");
            List<Map<?, ?>> answers = new ArrayList<>();
            for (Object answer : row.list("answers")) {
                if (!(answer instanceof Map) || !(((Map<?, ?>) answer).get("text") instanceof String)
                        || !(((Map<?, ?>) answer).get("rating") instanceof Number)) {
                    throw row.error("answers", "each answer needs a string 'text' and a numeric 'rating', got "
                            + answer);
                }
                answers.add((Map<?, ?>) answer);
            }
            answers.sort(Comparator.comparingDouble(a -> -((Number) a.get("rating")).doubleValue()));
            List<PreferenceExample> pairs = new ArrayList<>();
            if (answers.isEmpty()) {
                return pairs;
            }
            Map<?, ?> best = answers.get(0);
            double top = ((Number) best.get("rating")).doubleValue();
            for (Map<?, ?> other : answers.subList(1, answers.size())) {
                if (((Number) other.get("rating")).doubleValue() < top) {
                    pairs.add(PreferenceExample.of(question, (String) best.get("text"), (String) other.get("text")));
                }
            }
            return pairs;
        }
    }

    private CustomAdapterExample() {
    }

    /** Writes the embedded pairs in the rated-answers schema, one JSON object per line. */
    public static Path writeRatedAnswers(Path file) throws IOException {
        Gson gson = new Gson();
        StringBuilder lines = new StringBuilder();
        for (PreferenceExample pair : EmbeddedDataset.load()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("question", pair.turns().get(0).content());
            row.put("answers", List.of(Map.of("text", pair.chosen(), "rating", 5),
                    Map.of("text", pair.rejected(), "rating", 1)));
            lines.append(gson.toJson(row)).append('\n');
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, lines, StandardCharsets.UTF_8);
        return file;
    }

    /** Trains the embedded model on rated answers read through the custom adapter. */
    public static TrainingSummary run(Path outputDir, long maxSteps, boolean progressBar) throws IOException {
        Path work = Files.createTempDirectory("dpo4j-custom-adapter");
        try {
            Path file = writeRatedAnswers(work.resolve("rated-answers.jsonl"));
            PreferenceDataset data = PreferenceDatasets.load(new RatedAnswersAdapter(), List.of(file),
                    LoadOptions.lenientDefaults());
            return DpoTrainer.builder()
                    .modelPath(EmbeddedModel.write(work.resolve("model"), EmbeddedModel.DEFAULT_SEED))
                    .trainData(data)
                    .outputDir(outputDir).overwriteOutputDir(true)
                    .learningRate(EmbeddedDefaults.LEARNING_RATE).beta(EmbeddedDefaults.BETA)
                    .numTrainEpochs(2).maxSteps(maxSteps).loggingSteps(EmbeddedDefaults.LOGGING_STEPS)
                    .progressBar(progressBar)
                    .build().train();
        } finally {
            AtomicFolder.deleteRecursively(work);
        }
    }

    /** Trains and prints the summary. */
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "dpo-output-custom-adapter");
        TrainingSummary summary = run(out, args.length > 1 ? Long.parseLong(args[1]) : -1, true);
        System.out.printf(Locale.ROOT, "trained %d steps on rated answers; train reward accuracy %.3f, margin %.3f%n",
                summary.steps(), summary.lastTrain().rewardsAccuracy(), summary.lastTrain().rewardsMargin());
    }
}
