package dev.dpo4j.hub;

import static dev.dpo4j.hub.FakeHub.files;
import static dev.dpo4j.hub.FakeHub.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dataset splits from the tree API (paged), the Parquet conversion branch and the cache. */
class HubDatasetTest {

    static final byte[] TRAIN_PREFS = randomBytes(50_000, 11);
    static final byte[] TEST_PREFS = randomBytes(5_000, 12);

    @TempDir
    Path tmp;
    FakeHub hub;
    String ultraCommit;

    @BeforeEach
    void start() throws IOException {
        hub = new FakeHub();
        ultraCommit = hub.dataset("HuggingFaceH4/ultrafeedback_binarized").commit("main", files(
                "README.md", "---\nconfigs: []\n---",
                "data/train_prefs-00000-of-00001.parquet", TRAIN_PREFS,
                "data/test_prefs-00000-of-00001.parquet", TEST_PREFS,
                "data/train_sft-00000-of-00001.parquet", randomBytes(3000, 13),
                "data/test_sft-00000-of-00001.parquet", randomBytes(3000, 14)));
        hub.dataset("Intel/orca_dpo_pairs").commit("main", files("README.md", "# orca",
                "orca_rlhf.jsonl", "{\"system\":\"\",\"question\":\"q\",\"chosen\":\"a\",\"rejected\":\"b\"}\n"));
        FakeHub.Repo scripted = hub.dataset("acme/scripted");
        scripted.commit("main", files("scripted.py", "import datasets", "README.md", "# x"));
        scripted.commit("refs/convert/parquet", files("default/train/0000.parquet", randomBytes(2000, 15),
                "default/test/0000.parquet", randomBytes(1000, 16)));
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    HubClient client(boolean offline) {
        return HubClient.builder().options(new HubOptions(hub.endpoint(), tmp.resolve("cache"), null, offline))
                .listener(DownloadListener.silent()).build();
    }

    @Test
    void splitFilesAndTheOwnEvalSplit() throws IOException {
        HubDataset ds = client(false).dataset("HuggingFaceH4/ultrafeedback_binarized", null);
        assertThat(ds.commit()).isEqualTo(ultraCommit);
        assertThat(ds.splits()).containsExactly("test_prefs", "test_sft", "train_prefs", "train_sft");
        assertThat(ds.evalSplitFor("train_prefs")).contains("test_prefs");
        assertThat(hub.requests).as("revision + a paged tree listing").hasSizeGreaterThan(3)
                .allMatch(r -> r.method().equals("GET") && r.path().startsWith("/api/datasets/"));

        hub.clearRequests();
        List<Path> train = ds.files("train_prefs");
        Path repo = tmp.resolve("cache/datasets--HuggingFaceH4--ultrafeedback_binarized");
        assertThat(train).containsExactly(repo.resolve("snapshots").resolve(ultraCommit)
                .resolve("data/train_prefs-00000-of-00001.parquet"));
        assertThat(train.get(0)).hasBinaryContent(TRAIN_PREFS);
        assertThat(Files.readSymbolicLink(train.get(0)).toString())
                .isEqualTo("../../../blobs/" + FakeHub.sha256Hex(TRAIN_PREFS));
        assertThat(hub.requests).as("tree etags: no HEAD, one GET and its CDN redirect").hasSize(2)
                .noneMatch(r -> r.method().equals("HEAD"));
        assertThat(repo.resolve("refs/main")).hasContent(ultraCommit);

        hub.clearRequests();
        assertThat(client(false).datasetFiles("HuggingFaceH4/ultrafeedback_binarized", "train_prefs"))
                .isEqualTo(train);
        assertThat(hub.requests).noneMatch(r -> r.path().contains("/resolve/") || r.server().equals("cdn"));

        hub.clearRequests();
        HubDataset cached = client(true).dataset("HuggingFaceH4/ultrafeedback_binarized", null);
        assertThat(cached.fromCache()).isTrue();
        assertThat(cached.splits()).containsExactly("train_prefs");
        assertThat(cached.files("train_prefs")).isEqualTo(train);
        assertThat(hub.requests).isEmpty();

        assertThatThrownBy(() -> client(false).datasetFiles("HuggingFaceH4/ultrafeedback_binarized", "train"))
                .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.kind())
                        .isEqualTo(HubException.Kind.ENTRY_NOT_FOUND))
                .hasMessage("dataset HuggingFaceH4/ultrafeedback_binarized has no split 'train': its splits are "
                        + "[test_prefs, test_sft, train_prefs, train_sft], choose one of them");
    }

    @Test
    void filesWithoutSplitNamesAreTrain() {
        List<Path> files = client(false).datasetFiles("Intel/orca_dpo_pairs", "train");
        assertThat(files).hasSize(1);
        assertThat(files.get(0).getFileName()).hasToString("orca_rlhf.jsonl");
        assertThat(files.get(0)).content().contains("\"question\":\"q\"");
    }

    @Test
    void parquetConversionBranchWhenThereAreNoDataFiles() {
        List<Path> train = client(false).datasetFiles("acme/scripted", "train");
        assertThat(train).hasSize(1);
        assertThat(train.get(0).toString()).endsWith("default/train/0000.parquet");
        Path repo = tmp.resolve("cache/datasets--acme--scripted");
        assertThat(repo.resolve("refs/refs/convert/parquet")).isRegularFile();
        assertThat(hub.requests).anyMatch(r -> r.path().equals("/api/datasets/acme/scripted/revision/"
                + "refs%2Fconvert%2Fparquet"));

        hub.clearRequests();
        assertThat(client(true).datasetFiles("acme/scripted", "train")).isEqualTo(train);
        assertThat(hub.requests).isEmpty();
    }

    @Test
    void datasetCachedByPythonIsUsedOffline() throws IOException {
        Path repo = tmp.resolve("cache/datasets--Intel--orca_dpo_pairs");
        String sha = "a".repeat(40);
        byte[] rows = "{\"question\":\"q\"}\n".getBytes();
        String etag = FakeHub.gitBlobSha1(rows);
        Files.createDirectories(repo.resolve("blobs"));
        Files.write(repo.resolve("blobs").resolve(etag), rows);
        Files.createDirectories(repo.resolve("snapshots").resolve(sha));
        Files.createSymbolicLink(repo.resolve("snapshots").resolve(sha).resolve("orca_rlhf.jsonl"),
                Path.of("../../blobs/" + etag));
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), sha);

        assertThat(client(true).datasetFiles("Intel/orca_dpo_pairs", "train"))
                .containsExactly(repo.resolve("snapshots").resolve(sha).resolve("orca_rlhf.jsonl"));
        assertThat(hub.requests).isEmpty();
        assertThatThrownBy(() -> client(true).datasetFiles("Intel/orca_dpo_pairs", "test"))
                .hasMessageContaining("has no split 'test' in the cache");
    }
}
