package dev.dpo4j.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Concurrent downloads of the same files, by threads and by processes, give one correct copy. */
class HubConcurrencyTest {

    @TempDir
    Path tmp;
    FakeHub hub;

    @BeforeEach
    void start() throws IOException {
        hub = new FakeHub();
        hub.model(HubClientTest.ID).commit("main", HubClientTest.modelFiles());
        hub.slowMillisPer8k = 5; // ~0.2 s per shard: the downloads overlap
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    @Test
    void threads() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                results.add(pool.submit(() -> HubClient.builder()
                        .options(new HubOptions(hub.endpoint(), tmp.resolve("cache"), null, false))
                        .listener(DownloadListener.silent()).build().snapshot(HubClientTest.ID)));
            }
            Path first = results.get(0).get(60, TimeUnit.SECONDS);
            for (Future<Path> f : results) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(first);
            }
            assertOneCorrectCopy(first);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void processes() throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            processes.add(new ProcessBuilder(java.toString(), "-cp", classpath, HubDownloadMain.class.getName(),
                    hub.endpoint().toString(), tmp.resolve("cache").toString(), HubClientTest.ID)
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("out" + i + ".txt").toFile()).start());
        }
        List<String> outputs = new ArrayList<>();
        for (int i = 0; i < processes.size(); i++) {
            Process p = processes.get(i);
            boolean ended = p.waitFor(120, TimeUnit.SECONDS);
            if (!ended) {
                p.destroyForcibly();
            }
            String out = Files.readString(tmp.resolve("out" + i + ".txt"), StandardCharsets.UTF_8);
            assertThat(ended).as(out).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            outputs.add(out.lines().reduce((a, b) -> b).orElse("").strip());
        }
        assertThat(outputs.get(0)).isEqualTo(outputs.get(1));
        assertOneCorrectCopy(Path.of(outputs.get(0)));
    }

    private void assertOneCorrectCopy(Path snapshot) throws IOException {
        assertThat(snapshot.resolve("model-00001-of-00002.safetensors")).hasBinaryContent(HubClientTest.SHARD1);
        assertThat(snapshot.resolve("model-00002-of-00002.safetensors")).hasBinaryContent(HubClientTest.SHARD2);
        // each LFS file was fetched from the CDN once: the others waited on the lock and found the blob
        assertThat(hub.requests("cdn")).as(hub.requests("cdn").toString()).hasSize(2);
        try (Stream<Path> blobs = Files.list(tmp.resolve("cache/models--acme--tiny-lm/blobs"))) {
            assertThat(blobs.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".incomplete"))
                    .hasSize(7);
        }
    }
}
