package dev.dpo4j.hub;

import static dev.dpo4j.hub.FakeHub.files;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dpo4j.hub.HubException.Kind;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each failure is a HubException of its kind with one sentence that says what to do. */
class HubErrorsTest {

    @TempDir
    Path tmp;
    FakeHub hub;

    @BeforeEach
    void start() throws IOException {
        hub = new FakeHub();
        hub.model(HubClientTest.ID).commit("main", HubClientTest.modelFiles());
        FakeHub.Repo gated = hub.model("meta-llama/Llama-3.2-1B");
        gated.gated = true;
        gated.commit("main", HubClientTest.modelFiles());
        hub.model("acme/pickle-only").commit("main", files("config.json", "{}", "pytorch_model.bin", "x"));
        hub.model("acme/pickle-adapter").commit("main", files("adapter_config.json", "{}", "adapter_model.bin", "x"));
        hub.model("acme/readme-only").commit("main", files("README.md", "# nothing"));
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    HubClient client(String token) {
        return HubClient.builder().options(new HubOptions(hub.endpoint(), tmp.resolve("cache"), token, false))
                .listener(DownloadListener.silent()).build();
    }

    static void assertKind(Throwable e, Kind kind) {
        assertThat(e).isInstanceOf(HubException.class);
        assertThat(((HubException) e).kind()).as(e.getMessage()).isEqualTo(kind);
        assertThat(e.getMessage()).doesNotContain("\n");
    }

    @Test
    void unknownRepo() {
        assertThatThrownBy(() -> client(null).snapshot("acme/no-such-model"))
                .satisfies(e -> assertKind(e, Kind.REPO_NOT_FOUND))
                .hasMessage("acme/no-such-model was not found on " + hub.endpoint()
                        + ": check the id (org/name), or set HF_TOKEN if it is private");
        assertThatThrownBy(() -> client("hf_x").datasetFiles("acme/no-such-data", "train"))
                .satisfies(e -> assertKind(e, Kind.REPO_NOT_FOUND))
                .hasMessageStartingWith("dataset acme/no-such-data was not found on " + hub.endpoint()
                        + ", or the token in use cannot see it");
    }

    @Test
    void gatedRepoWithoutToken() {
        assertThatThrownBy(() -> client(null).snapshot("meta-llama/Llama-3.2-1B"))
                .satisfies(e -> assertKind(e, Kind.GATED))
                .hasMessage("meta-llama/Llama-3.2-1B is gated: accept its license at " + hub.endpoint()
                        + "/meta-llama/Llama-3.2-1B and set HF_TOKEN (or log in with `hf auth login`) to a token of "
                        + "that account");
        assertThatThrownBy(() -> client("hf_wrong").snapshot("meta-llama/Llama-3.2-1B"))
                .satisfies(e -> assertKind(e, Kind.GATED))
                .hasMessageContaining("is gated and the account of the token in use has no access yet");
        Path snapshot = client("hf_test_token").snapshot("meta-llama/Llama-3.2-1B");
        assertThat(snapshot.resolve("config.json")).isRegularFile();
        assertThat(hub.requests("cdn")).allMatch(r -> r.authorization() == null);
    }

    @Test
    void missingRevision() {
        assertThatThrownBy(() -> client(null).snapshot(HubClientTest.ID, "v9.9"))
                .satisfies(e -> assertKind(e, Kind.REVISION_NOT_FOUND))
                .hasMessage("acme/tiny-lm has no revision 'v9.9': pass an existing branch, tag or commit hash (see "
                        + hub.endpoint() + "/acme/tiny-lm/tree/main), or leave the revision out for main");
    }

    @Test
    void noNetworkWithAnEmptyCache() throws IOException {
        URI closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closed = URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
        HubClient offline = HubClient.builder().options(new HubOptions(closed, tmp.resolve("empty"), null, false))
                .timeout(Duration.ofSeconds(2)).listener(DownloadListener.silent()).build();
        assertThatThrownBy(() -> offline.snapshot("Qwen/Qwen2.5-0.5B"))
                .satisfies(e -> assertKind(e, Kind.NETWORK))
                .hasMessage("cannot reach " + closed + " (connection refused) and Qwen/Qwen2.5-0.5B (revision 'main') "
                        + "is not in the cache at " + tmp.resolve("empty").toAbsolutePath() + ": check the network "
                        + "connection and HF_ENDPOINT, or copy a Hugging Face cache that has it and set "
                        + "HF_HUB_OFFLINE=1");
        assertThatThrownBy(() -> offline.datasetFiles("Intel/orca_dpo_pairs", "train"))
                .satisfies(e -> assertKind(e, Kind.NETWORK))
                .hasMessageContaining("dataset Intel/orca_dpo_pairs (revision 'main') is not in the cache");
    }

    @Test
    void noNetworkWithACompleteCacheFallsBackToIt() throws IOException {
        Path snapshot = client(null).snapshot(HubClientTest.ID);
        URI closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closed = URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
        HubClient unreachable = HubClient.builder().options(new HubOptions(closed, tmp.resolve("cache"), null, false))
                .listener(DownloadListener.silent()).build();
        assertThat(unreachable.snapshot(HubClientTest.ID)).isEqualTo(snapshot);
    }

    @Test
    void modelWithoutSafetensors() {
        assertThatThrownBy(() -> client(null).snapshot("acme/pickle-only"))
                .satisfies(e -> assertKind(e, Kind.ENTRY_NOT_FOUND))
                .hasMessageContaining("acme/pickle-only has no safetensors weights (model.safetensors or "
                        + "model.safetensors.index.json) at revision 'main': dpo4j reads safetensors only");
    }

    @Test
    void adapterWithoutSafetensors() {
        assertThatThrownBy(() -> client(null).snapshot("acme/pickle-adapter"))
                .satisfies(e -> assertKind(e, Kind.ENTRY_NOT_FOUND))
                .hasMessage("acme/pickle-adapter is a PEFT adapter without adapter_model.safetensors at revision "
                        + "'main' (it has adapter_model.bin): dpo4j reads safetensors only; convert the adapter with "
                        + "PEFT's save_pretrained(..., safe_serialization=True)");
        assertThat(hub.requests("cdn")).as("nothing downloaded").isEmpty();
    }

    @Test
    void repositoryThatIsNeitherAModelNorAnAdapter() {
        assertThatThrownBy(() -> client(null).snapshot("acme/readme-only"))
                .satisfies(e -> assertKind(e, Kind.ENTRY_NOT_FOUND))
                .hasMessageStartingWith("acme/readme-only has no config.json (nor a PEFT adapter_config.json) at "
                        + "revision 'main': it is not a transformers model repository");
    }

    @Test
    void missingFileAndBadId() {
        assertThatThrownBy(() -> client(null).download(RepoType.MODEL, HubClientTest.ID, null, "nope.json"))
                .satisfies(e -> assertKind(e, Kind.ENTRY_NOT_FOUND))
                .hasMessageStartingWith("acme/tiny-lm has no file 'nope.json' at revision 'main'");
        assertThatThrownBy(() -> client(null).snapshot("no/such/local/folder"))
                .satisfies(e -> assertKind(e, Kind.REPO_NOT_FOUND))
                .hasMessage("'no/such/local/folder' is neither an existing local path nor a Hub model id (org/name): "
                        + "check the path or the id");
    }
}
