package dev.dpo4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dpo4j.api.train.TrainingSummary;
import dev.dpo4j.testing.TinyModels;
import dev.dpo4j.core.train.DpoTrainer;
import dev.dpo4j.hub.DownloadListener;
import dev.dpo4j.hub.HubClient;
import dev.dpo4j.hub.HubOptions;
import dev.dpo4j.hub.FakeHub;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DpoTrainer.builder().modelNameOrPath(...) trains a model served by the loopback Hub, then from the cache alone. */
class HubTrainingTest {

    @TempDir
    Path tmp;

    @Test
    void trainsAHubModelAndReusesTheCacheOffline() throws IOException {
        Path folder = TinyModels.writeModel(tmp.resolve("model"), "qwen2", 3);
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (Stream<Path> list = Files.list(folder)) {
            for (Path file : (Iterable<Path>) list::iterator) {
                files.put(file.getFileName().toString(), Files.readAllBytes(file));
            }
        }
        Path cache = tmp.resolve("cache");
        try (FakeHub hub = new FakeHub()) {
            hub.model("acme/tiny-dpo").commit("main", files);
            HubClient online = HubClient.builder().options(new HubOptions(hub.endpoint(), cache, null, false))
                    .listener(DownloadListener.silent()).build();
            TrainingSummary summary = train(online, tmp.resolve("out"));
            assertThat(summary.steps()).isEqualTo(1);
        }
        // the server is gone: offline, the cache alone must do
        HubClient offline = HubClient.builder().options(new HubOptions(java.net.URI.create("http://127.0.0.1:9"), cache, null, true))
                .listener(DownloadListener.silent()).build();
        assertThat(train(offline, tmp.resolve("again")).steps()).isEqualTo(1);
    }

    private static TrainingSummary train(HubClient hub, Path out) {
        return DpoTrainer.builder().modelNameOrPath("acme/tiny-dpo", null, hub)
                .trainData(TinyModels.arithmetic(4)).outputDir(out).perDeviceTrainBatchSize(4).maxSteps(1)
                .progressBar(false).build().train();
    }
}
