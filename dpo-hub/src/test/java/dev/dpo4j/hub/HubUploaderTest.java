package dev.dpo4j.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.dpo4j.hub.HubException.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pushes to the loopback Hub: each request's path, method and token, the NDJSON commit, LFS, retries, errors. */
class HubUploaderTest {

    static final String REPO = "me/tiny-dpo";
    static final String TOKEN = "hf_test_token";

    @TempDir
    Path tmp;
    FakeHub hub;
    Path folder;
    byte[] weights;

    @BeforeEach
    void start() throws IOException {
        hub = new FakeHub();
        folder = Files.createDirectories(tmp.resolve("out"));
        weights = FakeHub.randomBytes(100_000, 7);
        Files.writeString(folder.resolve("config.json"), "{\"model_type\":\"qwen2\"}");
        Files.writeString(folder.resolve("README.md"), "---\ntags:\n- dpo\n---\n# card\n");
        Files.write(folder.resolve("model.safetensors"), weights);
        Files.createDirectories(folder.resolve("checkpoint-2"));
        Files.writeString(folder.resolve("checkpoint-2/trainer_state.json"), "{}");
        Files.writeString(folder.resolve(".dpo4j.lock"), "pid");
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    HubUploader uploader(String token) {
        return HubUploader.builder().options(new HubOptions(hub.endpoint(), tmp.resolve("cache"), token, false))
                .retryWait(Duration.ofMillis(5)).build();
    }

    List<UploadFile> files() {
        return UploadFile.folder(folder, p -> p.startsWith(".") || p.startsWith("checkpoint-"));
    }

    @Test
    void createsThePrivateRepoAndCommitsRegularFilesInlineAndLargeOnesThroughLfs() {
        HubUploader up = uploader(TOKEN);
        assertThat(up.createRepo(REPO, true)).isEqualTo(REPO);
        assertThat(up.createRepo(REPO, true)).as("an existing repo is fine").isEqualTo(REPO);
        assertThat(up.createRepo("tiny-dpo", true)).as("a bare name: the token's account").isEqualTo(REPO);
        PushResult result = up.push(REPO, files(), "End of training", "trained with dpo4j");

        assertThat(hub.uploads.isPrivate(REPO)).isTrue();
        assertThat(result.committed()).isEqualTo(3);
        assertThat(result.lfsUploaded()).isEqualTo(1);
        assertThat(result.commitOid()).isNotNull();
        assertThat(result.commitUrl()).isEqualTo(hub.endpoint() + "/" + REPO + "/commit/" + result.commitOid());
        assertThat(hub.mainFiles(REPO)).containsOnlyKeys("README.md", "config.json", "model.safetensors");
        assertThat(hub.mainFiles(REPO).get("model.safetensors")).isEqualTo(weights);

        assertThat(hub.requests("hub")).extracting(FakeHub.Request::toString).containsExactly(
                "hub POST /api/repos/create (auth)", "hub POST /api/repos/create (auth)",
                "hub POST /api/repos/create (auth)",
                "hub POST /api/models/me/tiny-dpo/preupload/main (auth)",
                "hub POST /me/tiny-dpo.git/info/lfs/objects/batch (auth)",
                "hub POST /me/tiny-dpo.git/info/lfs/objects/verify (auth)",
                "hub POST /api/models/me/tiny-dpo/commit/main (auth)");
        String sha256 = FakeHub.sha256Hex(weights);
        assertThat(hub.requests("lfs")).extracting(FakeHub.Request::toString)
                .containsExactly("lfs PUT /upload/" + sha256);
        assertThat(hub.requests("lfs")).allMatch(r -> r.authorization() == null);

        List<String> lines = hub.uploads.commitBodies().get(0);
        assertThat(hub.uploads.commitContentTypes).containsExactly("application/x-ndjson");
        assertThat(lines).hasSize(4);
        JsonObject header = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        assertThat(header.get("key").getAsString()).isEqualTo("header");
        assertThat(header.getAsJsonObject("value").get("summary").getAsString()).isEqualTo("End of training");
        JsonObject config = JsonParser.parseString(lines.get(2)).getAsJsonObject();
        assertThat(config.get("key").getAsString()).isEqualTo("file");
        assertThat(config.getAsJsonObject("value").get("path").getAsString()).isEqualTo("config.json");
        assertThat(config.getAsJsonObject("value").get("encoding").getAsString()).isEqualTo("base64");
        assertThat(new String(Base64.getDecoder().decode(config.getAsJsonObject("value").get("content")
                .getAsString()), StandardCharsets.UTF_8)).isEqualTo("{\"model_type\":\"qwen2\"}");
        assertThat(lines.get(3)).isEqualTo("{\"key\":\"lfsFile\",\"value\":{\"path\":\"model.safetensors\","
                + "\"algo\":\"sha256\",\"oid\":\"" + sha256 + "\",\"size\":100000}}");
    }

    @Test
    void aSecondPushSendsOnlyWhatChangedAndNoStoredObjectAgain() throws IOException {
        HubUploader up = uploader(TOKEN);
        up.createRepo(REPO, false);
        up.push(REPO, files(), "first", "");
        hub.clearRequests();

        PushResult same = up.push(REPO, files(), "again", "");
        assertThat(same.commitOid()).as("nothing changed: no commit").isNull();
        assertThat(same.unchanged()).isEqualTo(3);
        assertThat(hub.requests("hub")).extracting(FakeHub.Request::path)
                .containsExactly("/api/models/me/tiny-dpo/preupload/main");

        Files.writeString(folder.resolve("config.json"), "{\"model_type\":\"llama\"}");
        Files.write(folder.resolve("adapter_model.safetensors"), weights); // same bytes, new path
        hub.clearRequests();
        PushResult changed = up.push(REPO, files(), "changed", "");
        assertThat(changed.committed()).isEqualTo(2);
        assertThat(changed.unchanged()).isEqualTo(2);
        assertThat(changed.lfsUploaded()).isZero();
        assertThat(changed.lfsPresent()).isEqualTo(1);
        assertThat(hub.requests("lfs")).as("the Hub has the object: not uploaded again").isEmpty();
        assertThat(hub.mainFiles(REPO).get("adapter_model.safetensors")).isEqualTo(weights);
        assertThat(new String(hub.mainFiles(REPO).get("config.json"), StandardCharsets.UTF_8)).contains("llama");
    }

    @Test
    void multipartUploadsPutEachSliceAndComplete() {
        hub.uploads.multipartChunk = 40_000;
        HubUploader up = uploader(TOKEN);
        up.createRepo(REPO, false);
        up.push(REPO, files(), "multipart", "");
        String sha256 = FakeHub.sha256Hex(weights);
        assertThat(hub.requests("lfs")).extracting(FakeHub.Request::toString).containsExactly(
                "lfs PUT /part/" + sha256 + "/1", "lfs PUT /part/" + sha256 + "/2", "lfs PUT /part/" + sha256 + "/3",
                "lfs POST /complete/" + sha256);
        assertThat(hub.requests("lfs")).allMatch(r -> r.authorization() == null);
        assertThat(hub.mainFiles(REPO).get("model.safetensors")).isEqualTo(weights);
    }

    @Test
    void retriesAfterA500AndA503() {
        HubUploader up = uploader(TOKEN);
        up.createRepo(REPO, false);
        hub.uploads.fail("/upload/", 503, 1);
        up.push(REPO, List.of(new UploadFile("model.safetensors", folder.resolve("model.safetensors"))), "a", "");
        assertThat(hub.requests("lfs")).hasSize(2);
        hub.uploads.fail("/commit/", 500, 1);
        hub.clearRequests();
        up.push(REPO, files(), "b", "");
        assertThat(hub.requests("hub")).filteredOn(r -> r.path().endsWith("/commit/main")).hasSize(2);
        assertThat(hub.mainFiles(REPO)).containsKeys("README.md", "config.json");
    }

    @Test
    void redirectsAreFollowedAndTheTokenGoesOnlyToTheHubsOrigin() {
        HubUploader up = uploader(TOKEN);
        up.createRepo(REPO, false);
        hub.uploads.bounce = "/preupload/";
        hub.clearRequests();
        up.push(REPO, files(), "bounced", "");
        assertThat(hub.requests("lfs")).extracting(FakeHub.Request::toString)
                .startsWith("lfs POST /mirror").allMatch(r -> !r.endsWith("(auth)"));
        assertThat(hub.requests("hub")).extracting(FakeHub.Request::toString).startsWith(
                "hub POST /api/models/me/tiny-dpo/preupload/main (auth)",
                "hub POST /api/models/me/tiny-dpo/preupload/main (auth)");
        assertThat(hub.mainFiles(REPO)).containsKeys("config.json", "model.safetensors");
    }

    @Test
    void aRefusedTokenIsNamedAsTheProblemWithoutShowingIt() {
        hub.uploads.writeToken = "hf_the_writer";
        assertThatThrownBy(() -> uploader("hf_secret_reader").push(REPO, files(), "x", ""))
                .isInstanceOf(HubException.class)
                .satisfies(e -> assertThat(((HubException) e).kind()).isEqualTo(Kind.UNAUTHORIZED))
                .hasMessageContaining("cannot push to me/tiny-dpo on " + hub.endpoint())
                .hasMessageContaining("HTTP 401")
                .hasMessageContaining("the token in use is invalid or lacks write access to me/tiny-dpo")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hf_secret_reader"));
        assertThatThrownBy(() -> uploader(null).createRepo(REPO, false))
                .hasMessageContaining("no token is set: set HF_TOKEN or hub_token");
    }

    @Test
    void aRefusedUploadNamesTheFile() {
        HubUploader up = uploader(TOKEN);
        up.createRepo(REPO, false);
        hub.uploads.fail("/upload/", 403, 1);
        assertThatThrownBy(() -> up.push(REPO, files(), "x", ""))
                .hasMessageStartingWith("cannot push to me/tiny-dpo on " + hub.endpoint()
                        + ": uploading 'model.safetensors' was refused (HTTP 403");
        assertThat(hub.mainFiles(REPO)).as("no commit without the object").isEmpty();
    }

    @Test
    void folderListingLeavesOutIgnoredPathsAndRepoPathsAreChecked() throws IOException {
        Files.createDirectories(folder.resolve("runs/x"));
        Files.writeString(folder.resolve("runs/x/events"), "e");
        assertThat(files()).extracting(UploadFile::pathInRepo)
                .containsExactly("README.md", "config.json", "model.safetensors", "runs/x/events");
        assertThatThrownBy(() -> new UploadFile("../x", folder)).hasMessageContaining("'../x' is no path inside");
        assertThatThrownBy(() -> uploader(TOKEN).createRepo("not a repo", false))
                .hasMessageContaining("check hub_model_id");
        HubUploader offline = HubUploader.builder().options(new HubOptions(hub.endpoint(), tmp, TOKEN, true)).build();
        assertThatThrownBy(() -> offline.push(REPO, files(), "x", "")).hasMessage("cannot push to me/tiny-dpo while "
                + "offline mode is on (HF_HUB_OFFLINE): unset it to push");
        assertThat(hub.requests("hub")).isEmpty();
    }
}
