package dev.dpo4j.hub;

import static dev.dpo4j.hub.FakeHub.files;
import static dev.dpo4j.hub.FakeHub.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model snapshots against the loopback Hub: layout, reuse, resume, checksums. */
class HubClientTest {

    static final String ID = "acme/tiny-lm";
    static final byte[] SHARD1 = randomBytes(300_000, 1);
    static final byte[] SHARD2 = randomBytes(200_000, 2);
    static final String INDEX = "{\"metadata\":{\"total_size\":500000},\"weight_map\":{"
            + "\"model.embed_tokens.weight\":\"model-00001-of-00002.safetensors\","
            + "\"model.norm.weight\":\"model-00002-of-00002.safetensors\","
            + "\"lm_head.weight\":\"model-00002-of-00002.safetensors\"}}";

    @TempDir
    Path tmp;
    FakeHub hub;
    String commit;

    @BeforeEach
    void start() throws IOException {
        hub = new FakeHub();
        commit = hub.model(ID).commit("main", modelFiles());
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    static Map<String, byte[]> modelFiles() {
        return files("config.json", "{\"model_type\":\"qwen2\",\"hidden_size\":8}",
                "model.safetensors.index.json", INDEX,
                "model-00001-of-00002.safetensors", SHARD1,
                "model-00002-of-00002.safetensors", SHARD2,
                "tokenizer.json", "{\"version\":\"1.0\"}",
                "tokenizer_config.json", "{\"chat_template\":\"{{ messages }}\"}",
                "special_tokens_map.json", "{}",
                "README.md", "# tiny",
                "pytorch_model.bin", randomBytes(1000, 3));
    }

    HubOptions options() {
        return new HubOptions(hub.endpoint(), tmp.resolve("cache"), "hf_test_token", false);
    }

    HubClient client(HubOptions options) {
        return HubClient.builder().options(options).listener(DownloadListener.silent()).build();
    }

    @Test
    void fullSnapshotIsLaidOutAsHuggingfaceHubDoes() throws IOException {
        List<String> started = new ArrayList<>();
        HubClient client = HubClient.builder().options(options()).listener((repo, path, total, from) -> {
            started.add(path + ":" + total);
            return DownloadListener.NO_PROGRESS;
        }).build();

        Path snapshot = client.snapshot(ID);

        Path repoDir = tmp.resolve("cache").resolve("models--acme--tiny-lm");
        assertThat(snapshot).isEqualTo(repoDir.resolve("snapshots").resolve(commit));
        Map<String, byte[]> expected = modelFiles();
        for (String name : List.of("config.json", "model.safetensors.index.json", "model-00001-of-00002.safetensors",
                "model-00002-of-00002.safetensors", "tokenizer.json", "tokenizer_config.json",
                "special_tokens_map.json")) {
            Path file = snapshot.resolve(name);
            assertThat(Files.isSymbolicLink(file)).as(name).isTrue();
            String etag = FakeHub.etagOf(name, expected.get(name));
            assertThat(Files.readSymbolicLink(file).toString()).as(name).isEqualTo("../../blobs/" + etag);
            assertThat(Files.readAllBytes(file)).as(name).isEqualTo(expected.get(name));
            assertThat(repoDir.resolve("blobs").resolve(etag)).isRegularFile();
        }
        // LFS blobs are named by sha256, regular files by git-sha1
        assertThat(repoDir.resolve("blobs").resolve(FakeHub.sha256Hex(SHARD1))).isRegularFile();
        assertThat(snapshot.resolve("pytorch_model.bin")).doesNotExist();
        assertThat(snapshot.resolve("README.md")).doesNotExist();
        assertThat(repoDir.resolve("refs/main")).hasContent(commit);
        assertThat(Files.readString(repoDir.resolve("refs/main"))).doesNotEndWith("\n");
        assertThat(repoDir.resolve(".no_exist").resolve(commit).resolve("generation_config.json")).isRegularFile();
        assertThat(tmp.resolve("cache/CACHEDIR.TAG")).content().startsWith("Signature: 8a477f597d28d172789f06886806bc55");
        assertThat(tmp.resolve("cache/.locks/models--acme--tiny-lm")).isDirectory();
        try (Stream<Path> blobs = Files.list(repoDir.resolve("blobs"))) {
            assertThat(blobs.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".incomplete"));
        }
        assertThat(started).contains("model-00001-of-00002.safetensors:300000");

        // the token goes to the Hub, never to the CDN the LFS files are redirected to
        assertThat(hub.requests("hub")).allMatch(r -> r.authorization() != null);
        assertThat(hub.requests("cdn")).hasSize(2).allMatch(r -> r.authorization() == null);
    }

    @Test
    void secondCallReusesTheCache() {
        HubClient client = client(options());
        Path first = client.snapshot(ID);
        hub.clearRequests();

        Path second = client(options()).snapshot(ID);
        assertThat(second).isEqualTo(first);
        assertThat(hub.requests).as("only the revision check").hasSize(1);
        assertThat(hub.requests.get(0).path()).isEqualTo("/api/models/acme/tiny-lm/revision/main");

        hub.clearRequests();
        assertThat(client(options()).snapshot(ID, commit)).isEqualTo(first);
        assertThat(hub.requests).as("a cached commit hash needs no request").isEmpty();

        hub.clearRequests();
        assertThat(client(options().withOffline(true)).snapshot(ID)).isEqualTo(first);
        assertThat(hub.requests).isEmpty();
    }

    @Test
    void localPathIsReturnedAsIs() throws IOException {
        Path folder = Files.createDirectories(tmp.resolve("acme/tiny-lm"));
        assertThat(client(options()).snapshot(folder.toString())).isEqualTo(folder);
        assertThat(hub.requests).isEmpty();
    }

    @Test
    void cacheWrittenByPythonIsUsedOffline() throws IOException {
        // as huggingface_hub writes it: blobs named by etag, relative symlinks, refs/main without newline
        Path cache = tmp.resolve("py-cache");
        Path repo = cache.resolve("models--Qwen--Qwen2.5-0.5B-Instruct");
        String sha = "7ae557604adf67be50417f59c2c2f167def9a775";
        Map<String, byte[]> files = files("config.json", "{\"model_type\":\"qwen2\"}",
                "model.safetensors", randomBytes(4096, 9), "tokenizer.json", "{}",
                "tokenizer_config.json", "{}", "generation_config.json", "{}");
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            String etag = FakeHub.etagOf(f.getKey(), f.getValue());
            Files.createDirectories(repo.resolve("blobs"));
            Files.write(repo.resolve("blobs").resolve(etag), f.getValue());
            Path link = repo.resolve("snapshots").resolve(sha).resolve(f.getKey());
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, Path.of("../../blobs/" + etag));
        }
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), sha);

        HubOptions offline = new HubOptions(hub.endpoint(), cache, null, true);
        Path snapshot = client(offline).snapshot("Qwen/Qwen2.5-0.5B-Instruct");
        assertThat(snapshot).isEqualTo(repo.resolve("snapshots").resolve(sha));
        assertThat(snapshot.resolve("model.safetensors")).hasBinaryContent(files.get("model.safetensors"));
        assertThat(client(offline).snapshot("Qwen/Qwen2.5-0.5B-Instruct", sha)).isEqualTo(snapshot);
        assertThat(client(offline).download(RepoType.MODEL, "Qwen/Qwen2.5-0.5B-Instruct", "main", "config.json"))
                .hasContent("{\"model_type\":\"qwen2\"}");

        // online with a cached commit hash and every file accounted for: still no request
        Path marker = repo.resolve(".no_exist").resolve(sha);
        Files.createDirectories(marker);
        Files.createFile(marker.resolve("special_tokens_map.json"));
        Files.createFile(marker.resolve("chat_template.jinja"));
        assertThat(client(offline.withOffline(false)).snapshot("Qwen/Qwen2.5-0.5B-Instruct", sha))
                .isEqualTo(snapshot);
        assertThat(hub.requests).isEmpty();

        assertThatThrownBy(() -> client(offline).snapshot("Qwen/Qwen2.5-7B"))
                .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.kind())
                        .isEqualTo(HubException.Kind.NOT_CACHED))
                .hasMessageContaining("HF_HUB_OFFLINE is set and Qwen/Qwen2.5-7B (revision 'main') is not in the "
                        + "cache at " + cache.toAbsolutePath());
        assertThat(hub.requests).isEmpty();
    }

    @Test
    void droppedConnectionIsResumedWithARangeRequest() throws IOException {
        hub.dropAfterBytes = 100_000;
        hub.drops.set(1);

        Path snapshot = client(options()).snapshot(ID);

        assertThat(snapshot.resolve("model-00001-of-00002.safetensors")).hasBinaryContent(SHARD1);
        assertThat(snapshot.resolve("model-00002-of-00002.safetensors")).hasBinaryContent(SHARD2);
        List<FakeHub.Request> cdn = hub.requests("cdn");
        assertThat(cdn).as(cdn.toString()).hasSize(3);
        assertThat(cdn.get(0).range()).isNull();
        assertThat(cdn.get(1).range()).as("resumed, not restarted").isEqualTo("bytes=100000-");
        assertThat(cdn.get(1).path()).isEqualTo(cdn.get(0).path());
    }

    @Test
    void killedDownloadContinuesFromTheIncompleteFile() throws IOException {
        hub.dropAfterBytes = 120_000;
        hub.drops.set(1);
        HubClient noRetry = HubClient.builder().options(options()).listener(DownloadListener.silent()).maxRetries(0)
                .build();

        assertThatThrownBy(() -> noRetry.snapshot(ID)).isInstanceOfSatisfying(HubException.class,
                e -> assertThat(e.kind()).isEqualTo(HubException.Kind.NETWORK))
                .hasMessageContaining("model-00001-of-00002.safetensors of acme/tiny-lm broke off at 120000 of "
                        + "300000 bytes").hasMessageContaining("run again to resume it");
        Path repoDir = tmp.resolve("cache/models--acme--tiny-lm");
        Path incomplete = repoDir.resolve("blobs").resolve(FakeHub.sha256Hex(SHARD1) + ".incomplete");
        assertThat(incomplete).hasSize(120_000);
        assertThat(repoDir.resolve("snapshots").resolve(commit).resolve("model-00001-of-00002.safetensors"))
                .doesNotExist();

        // a new process (a new client) continues where the old one stopped
        hub.clearRequests();
        Path snapshot = client(options()).snapshot(ID);
        assertThat(snapshot.resolve("model-00001-of-00002.safetensors")).hasBinaryContent(SHARD1);
        assertThat(hub.requests("cdn").get(0).range()).isEqualTo("bytes=120000-");
        assertThat(incomplete).doesNotExist();
    }

    @Test
    void corruptedBodyIsRejectedAndLeavesNothingInTheSnapshot() throws IOException {
        hub.corrupt = true;

        assertThatThrownBy(() -> client(options()).snapshot(ID)).isInstanceOfSatisfying(HubException.class,
                e -> assertThat(e.kind()).isEqualTo(HubException.Kind.CHECKSUM))
                .hasMessageContaining("model-00001-of-00002.safetensors of acme/tiny-lm arrived corrupted (sha256 ")
                .hasMessageContaining("the Hub says " + FakeHub.sha256Hex(SHARD1))
                .hasMessageContaining("it was discarded; run again");
        Path repoDir = tmp.resolve("cache/models--acme--tiny-lm");
        assertThat(repoDir.resolve("snapshots").resolve(commit).resolve("model-00001-of-00002.safetensors"))
                .doesNotExist();
        try (Stream<Path> blobs = Files.list(repoDir.resolve("blobs"))) {
            assertThat(blobs.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(
                    FakeHub.sha256Hex(SHARD1)));
        }

        hub.corrupt = false;
        assertThat(client(options()).snapshot(ID).resolve("model-00001-of-00002.safetensors"))
                .hasBinaryContent(SHARD1);
    }

    /**
     * A mirror whose metadata says the file is 1,000 bytes shorter than it is, with an etag that is no checksum: the
     * download that stops at the announced size is not cached as a cut-short blob (every later run would fail).
     */
    @Test
    void underReportedSizeWithAnOpaqueEtagIsNotCached() throws IOException {
        hub.underReportBy = 1000;
        hub.opaqueEtag = true;
        hub.dropAfterBytes = SHARD1.length - 1000;
        hub.drops.set(1);

        assertThatThrownBy(() -> client(options()).snapshot(ID)).isInstanceOfSatisfying(HubException.class,
                e -> assertThat(e.kind()).isEqualTo(HubException.Kind.CHECKSUM))
                .hasMessageContaining("model-00001-of-00002.safetensors of acme/tiny-lm")
                .hasMessageContaining(SHARD1.length + " bytes")
                .hasMessageContaining((SHARD1.length - 1000) + " bytes");
        Path repoDir = tmp.resolve("cache/models--acme--tiny-lm");
        assertThat(repoDir.resolve("snapshots").resolve(commit).resolve("model-00001-of-00002.safetensors"))
                .doesNotExist();
        try (Stream<Path> blobs = Files.list(repoDir.resolve("blobs"))) {
            assertThat(blobs.filter(p -> !p.getFileName().toString().endsWith(".lock"))
                    .filter(p -> p.toFile().length() == SHARD1.length - 1000)).as("no cut-short blob").isEmpty();
        }

        // the same without the drop: refused too, and a corrected server then downloads it whole
        hub.drops.set(0);
        assertThatThrownBy(() -> client(options()).snapshot(ID)).isInstanceOf(HubException.class)
                .hasMessageContaining("model-00001-of-00002.safetensors of acme/tiny-lm");
        hub.underReportBy = 0;
        assertThat(client(options()).snapshot(ID).resolve("model-00001-of-00002.safetensors"))
                .hasBinaryContent(SHARD1);
    }

    @Test
    void aPeftAdapterRepositoryGivesItsAdapterFilesAndIsFoundInTheCache() {
        byte[] weights = randomBytes(50_000, 4);
        String adapterCommit = hub.model("acme/tiny-lora").commit("main", files(
                "adapter_config.json", "{\"peft_type\":\"LORA\",\"base_model_name_or_path\":\"acme/tiny-lm\"}",
                "adapter_model.safetensors", weights, "tokenizer.json", "{\"version\":\"1.0\"}",
                "README.md", "# adapter"));

        Path snapshot = client(options()).snapshot("acme/tiny-lora");

        assertThat(snapshot).isEqualTo(tmp.resolve("cache/models--acme--tiny-lora/snapshots").resolve(adapterCommit));
        assertThat(snapshot.resolve("adapter_config.json")).content().contains("acme/tiny-lm");
        assertThat(snapshot.resolve("adapter_model.safetensors")).hasBinaryContent(weights);
        assertThat(snapshot.resolve("tokenizer.json")).isRegularFile();
        assertThat(snapshot.resolve("config.json")).doesNotExist();
        assertThat(snapshot.resolve("README.md")).doesNotExist();

        hub.clearRequests();
        assertThat(client(options()).snapshot("acme/tiny-lora", adapterCommit)).isEqualTo(snapshot);
        assertThat(client(options().withOffline(true)).snapshot("acme/tiny-lora")).isEqualTo(snapshot);
        assertThat(hub.requests).as("a complete adapter snapshot needs no request").isEmpty();
    }

    @Test
    void singleFileDownloadAndGitSha1Verification() throws IOException {
        Path config = client(options()).download(RepoType.MODEL, ID, null, "config.json");
        assertThat(config).hasContent("{\"model_type\":\"qwen2\",\"hidden_size\":8}");
        assertThat(Files.readSymbolicLink(config).toString()).isEqualTo("../../blobs/"
                + FakeHub.gitBlobSha1(Files.readAllBytes(config)));
        assertThat(new String(Files.readAllBytes(config), StandardCharsets.UTF_8)).contains("qwen2");
    }
}
