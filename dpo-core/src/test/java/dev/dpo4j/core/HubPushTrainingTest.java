package dev.dpo4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dpo4j.api.train.TrainingSummary;
import dev.dpo4j.core.train.DpoTrainer;
import dev.dpo4j.core.train.HubPushException;
import dev.dpo4j.core.train.HubStrategy;
import dev.dpo4j.core.train.SaveStrategy;
import dev.dpo4j.hub.DownloadListener;
import dev.dpo4j.hub.FakeHub;
import dev.dpo4j.hub.HubClient;
import dev.dpo4j.hub.HubException;
import dev.dpo4j.hub.HubOptions;
import dev.dpo4j.testing.TinyModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** push_to_hub end to end: a tiny run pushes its model, card and metrics to the loopback Hub. */
class HubPushTrainingTest {

    static final String TOKEN = "hf_test_token";

    @TempDir
    Path tmp;
    FakeHub hub;
    HubOptions options;

    @BeforeEach
    void start() throws IOException {
        hub = new FakeHub();
        Path folder = TinyModels.writeModel(tmp.resolve("model"), "qwen2", 3);
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (Stream<Path> list = Files.list(folder)) {
            for (Path file : (Iterable<Path>) list::iterator) {
                files.put(file.getFileName().toString(), Files.readAllBytes(file));
            }
        }
        hub.model("acme/tiny-base").commit("main", files);
        options = new HubOptions(hub.endpoint(), tmp.resolve("cache"), TOKEN, false);
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    DpoTrainer.Builder trainer(Path out, HubOptions pushTo) {
        HubClient client = HubClient.builder().options(options).listener(DownloadListener.silent()).build();
        return DpoTrainer.builder().modelNameOrPath("acme/tiny-base", null, client)
                .trainData(TinyModels.arithmetic(8)).outputDir(out).perDeviceTrainBatchSize(4).maxSteps(2)
                .loggingSteps(1).progressBar(false).datasetName("acme/arithmetic").pushToHub(true).pushTo(pushTo);
    }

    @Test
    void pushesEachCheckpointsModelAndTheFinalFolderWithItsCard() throws IOException {
        Path out = tmp.resolve("tiny-dpo");
        TrainingSummary summary = trainer(out, options).hubModelId("me/tiny-dpo").hubPrivateRepo(true)
                .saveStrategy(SaveStrategy.STEPS).saveSteps(1).build().train();

        assertThat(summary.steps()).isEqualTo(2);
        Map<String, byte[]> pushed = hub.mainFiles("me/tiny-dpo");
        assertThat(pushed).containsKeys("config.json", "model.safetensors", "tokenizer.json", "README.md",
                "metrics.jsonl");
        assertThat(pushed.keySet()).noneMatch(p -> p.startsWith("checkpoint-") || p.startsWith(".")
                || p.endsWith("optimizer.safetensors") || p.equals("trainer_state.json"));
        assertThat(pushed.get("model.safetensors")).isEqualTo(Files.readAllBytes(out.resolve("model.safetensors")));
        assertThat(hub.uploads.isPrivate("me/tiny-dpo")).isTrue();
        assertThat(hub.uploads.commitSummaries()).last().isEqualTo("End of training");
        assertThat(hub.uploads.commitSummaries()).first().isEqualTo("Training in progress, step 1");
        assertThat(hub.requests("lfs")).isNotEmpty().allMatch(r -> r.authorization() == null);
        assertThat(hub.requests("hub")).filteredOn(r -> !r.path().contains("/resolve/")
                && !r.path().contains("/revision/")).allMatch(r -> r.authorization() != null);
        try (Stream<Path> left = Files.list(out)) {
            assertThat(left).as("no staging folder left").noneMatch(p -> p.getFileName().toString()
                    .startsWith(".hub-push-"));
        }

        String card = Files.readString(out.resolve("README.md"));
        assertThat(new String(pushed.get("README.md"), StandardCharsets.UTF_8)).isEqualTo(card);
        assertThat(card).startsWith("---\nbase_model: acme/tiny-base\ndatasets: acme/arithmetic\n"
                + "library_name: transformers\nmodel_name: tiny-dpo\n")
                .contains("model=\"me/tiny-dpo\"").contains("for 2 optimizer steps.")
                .contains("| metric | train | eval |");
    }

    @Test
    void withoutAWritableTokenTheRunFailsBeforeTraining() {
        Path out = tmp.resolve("refused");
        hub.uploads.writeToken("hf_other");
        assertThatThrownBy(() -> trainer(out, options).hubStrategy(HubStrategy.END).build().train())
                .isInstanceOf(HubException.class)
                .hasMessageContaining("cannot push to refused on " + hub.endpoint())
                .hasMessageContaining("lacks write access")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(TOKEN));
        assertThat(out.resolve("model.safetensors")).doesNotExist();
        assertThatThrownBy(() -> trainer(out, options.withToken(null)).build().train())
                .hasMessageContaining("push_to_hub needs a Hugging Face token with write access");
    }

    @Test
    void aFailedFinalPushKeepsTheSavedModelAndSaysWhere() {
        Path out = tmp.resolve("kept");
        hub.uploads.fail("/commit/", 403, 10);
        assertThatThrownBy(() -> trainer(out, options).hubModelId("me/kept").hubStrategy(HubStrategy.END).build()
                .train())
                .isInstanceOf(HubPushException.class)
                .hasMessageStartingWith("the trained model is saved in " + out + ", but pushing it to me/kept failed: "
                        + "cannot push to me/kept");
        assertThat(out.resolve("model.safetensors")).isRegularFile();
        assertThat(out.resolve("README.md")).isRegularFile();
        assertThat(hub.mainFiles("me/kept")).isEmpty();
    }
}
