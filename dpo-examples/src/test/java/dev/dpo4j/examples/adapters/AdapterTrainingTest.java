package dev.dpo4j.examples.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import dev.dpo4j.adapters.LoadOptions;
import dev.dpo4j.adapters.PreferenceDataset;
import dev.dpo4j.adapters.PreferenceDatasets;
import dev.dpo4j.api.data.PreferenceExample;
import dev.dpo4j.api.template.PromptTemplate;
import dev.dpo4j.api.train.TrainingSummary;
import dev.dpo4j.cli.embedded.EmbeddedModel;
import dev.dpo4j.core.train.DpoTrainer;
import dev.dpo4j.examples.TrainedModels;
import dev.dpo4j.testing.TrainedWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dataset in orca_dpo_pairs' schema goes through its adapter, the ChatML template and a tiny training run. */
class AdapterTrainingTest {

    @TempDir
    Path tmp;

    @Test
    void orcaPairsTrainThroughTheBuilder() throws IOException {
        Path data = tmp.resolve("orca.jsonl");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            lines.add(new Gson().toJson(Map.of("system", i % 2 == 0 ? "Be brief." : "", "question",
                    "Name color " + i + ".", "chosen", "Blue " + i + ".", "rejected", "I refuse.")));
        }
        Files.write(data, lines);
        PreferenceDataset examples = PreferenceDatasets.load("orca_dpo_pairs", data, LoadOptions.defaults());

        PreferenceExample first = examples.iterator().next();
        assertThat(PromptTemplate.chatMl().renderPrompt(first.prompt())).isEqualTo(
                "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nName color 0.<|im_end|>\n"
                        + "<|im_start|>assistant\n");

        TrainingSummary summary = DpoTrainer.builder().modelPath(tinyModel(tmp.resolve("model")))
                .trainData(examples).evalData(examples).outputDir(tmp.resolve("out")).learningRate(1e-3)
                .perDeviceTrainBatchSize(4).maxSteps(2).progressBar(false).build().train();

        assertThat(summary.steps()).isEqualTo(2);
        assertThat(summary.lastEval().loss()).isFinite();
        assertThat(examples.skipReport().skipped()).isZero();
        assertThat(tmp.resolve("out/model.safetensors")).exists();
        TrainedWeights.assertTrained(tmp.resolve("model"), tmp.resolve("out"));
    }

    @Test
    void theReadmeExampleTrainsAnOrcaFolder() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("orca"));
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            lines.add(new Gson().toJson(Map.of("system", "", "question", "Say " + i + ".", "chosen", i + ".",
                    "rejected", "No.")));
        }
        Files.write(data.resolve("train-00000-of-00001.jsonl"), lines);
        TrainingSummary summary = dev.dpo4j.examples.ProgrammaticTraining.trainOrca(tinyModel(tmp.resolve("m")),
                data, tmp.resolve("out"));
        assertThat(summary.steps()).isEqualTo(1); // 8 pairs, a global batch of 32: one step
        assertThat(tmp.resolve("out/model.safetensors")).exists();
        TrainedWeights.assertTrained(tmp.resolve("m"), tmp.resolve("out"));
    }

    private static Path tinyModel(Path folder) throws IOException {
        return EmbeddedModel.write(folder, EmbeddedModel.DEFAULT_SEED);
    }
}
