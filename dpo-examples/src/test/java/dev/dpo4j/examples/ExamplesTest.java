package dev.dpo4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dpo4j.adapters.LoadOptions;
import dev.dpo4j.adapters.PreferenceDataset;
import dev.dpo4j.adapters.PreferenceDatasets;
import dev.dpo4j.api.data.DatasetRow;
import dev.dpo4j.api.data.PreferenceExample;
import dev.dpo4j.api.train.TrainingSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExamplesTest {

    @TempDir
    Path tmp;

    @Test
    void programmaticTraining() throws IOException {
        TrainingSummary summary = ProgrammaticTraining.run(tmp.resolve("out"), 3, false);
        assertThat(summary.steps()).isEqualTo(3);
        assertThat(summary.lastEval()).isNotNull();
        assertThat(tmp.resolve("out/model.safetensors")).isNotEmptyFile();
        TrainedModels.assertTrainedFromTheEmbeddedModel(tmp.resolve("start"), tmp.resolve("out"));
    }

    @Test
    void customAdapterTrains() throws IOException {
        TrainingSummary summary = CustomAdapterExample.run(tmp.resolve("out"), 3, false);
        assertThat(summary.steps()).isEqualTo(3);
        assertThat(summary.lastTrain()).isNull(); // logging every 5 steps
        assertThat(tmp.resolve("out/metrics.jsonl")).doesNotExist();
        assertThat(tmp.resolve("out/model.safetensors")).isNotEmptyFile();
        TrainedModels.assertTrainedFromTheEmbeddedModel(tmp.resolve("start"), tmp.resolve("out"));
    }

    @Test
    void customAdapterPairsTheBestAnswerWithEachWorseOne() throws IOException {
        CustomAdapterExample.RatedAnswersAdapter adapter = new CustomAdapterExample.RatedAnswersAdapter();
        List<PreferenceExample> pairs = adapter.toExamples(DatasetRow.of(Map.of("question", "Hi?", "answers", List.of(
                Map.of("text", "meh", "rating", 2), Map.of("text", "Hello!", "rating", 5),
                Map.of("text", "Go away.", "rating", 1), Map.of("text", "Hi!", "rating", 5)))));
        assertThat(pairs).extracting(PreferenceExample::chosen).containsOnly("Hello!");
        assertThat(pairs).extracting(PreferenceExample::rejected).containsExactly("meh", "Go away.");
        assertThat(adapter.toExamples(DatasetRow.of(Map.of("question", "Q", "answers", List.of(
                Map.of("text", "a", "rating", 3), Map.of("text", "b", "rating", 3)))))).isEmpty();

        Path file = tmp.resolve("rated.jsonl");
        Files.writeString(file, "{\"question\": \"Q\", \"answers\": [{\"text\": \"a\"}]}\n"
                + "{\"question\": \"Q2\", \"answers\": [{\"text\": \"good\", \"rating\": 4}, "
                + "{\"text\": \"bad\", \"rating\": 0}]}\n");
        PreferenceDataset data = PreferenceDatasets.load(adapter, List.of(file), LoadOptions.lenientDefaults());
        List<PreferenceExample> read = new ArrayList<>();
        data.forEach(read::add);
        assertThat(read).containsExactly(PreferenceExample.of("Q2", "good", "bad"));
        assertThat(data.skipReport().skipped()).isEqualTo(1);
        assertThat(data.skipReport().firstMessages().get(0)).contains("answers").contains("rating");
    }

    @Test
    void customLossTrains() throws IOException {
        TrainingSummary summary = CustomLossExample.run(tmp.resolve("out"), 5, false);
        assertThat(summary.steps()).isEqualTo(5);
        assertThat(summary.lastTrain().loss()).isFinite().isPositive();
        assertThat(summary.lastEval().rewardsMargin()).isFinite();
        TrainedModels.assertTrainedFromTheEmbeddedModel(tmp.resolve("start"), tmp.resolve("out"));
    }
}
