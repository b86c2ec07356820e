package dev.dpo4j.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubOptionsTest {

    @TempDir
    Path home;

    @Test
    void defaultsAsHuggingfaceHub() {
        HubOptions o = HubOptions.fromEnvironment(Map.of(), home);
        assertThat(o.endpoint()).isEqualTo(URI.create("https://huggingface.co"));
        assertThat(o.cacheDir()).isEqualTo(home.resolve(".cache/huggingface/hub"));
        assertThat(o.token()).isNull();
        assertThat(o.offline()).isFalse();
        assertThat(HubOptions.fromEnvironment(Map.of("XDG_CACHE_HOME", "/xdg"), home).cacheDir())
                .isEqualTo(Path.of("/xdg/huggingface/hub"));
    }

    @Test
    void environmentVariables() throws IOException {
        Path hfHome = Files.createDirectories(home.resolve("hf"));
        Files.writeString(hfHome.resolve("token"), "hf_from_file\n");
        HubOptions o = HubOptions.fromEnvironment(Map.of("HF_HOME", hfHome.toString(), "HF_ENDPOINT",
                "http://127.0.0.1:9/", "HF_HUB_OFFLINE", "1"), home);
        assertThat(o.endpoint()).isEqualTo(URI.create("http://127.0.0.1:9"));
        assertThat(o.cacheDir()).isEqualTo(hfHome.resolve("hub"));
        assertThat(o.token()).isEqualTo("hf_from_file");
        assertThat(o.offline()).isTrue();
        assertThat(o.toString()).doesNotContain("hf_from_file");

        HubOptions env = HubOptions.fromEnvironment(Map.of("HF_HOME", hfHome.toString(), "HF_TOKEN", "hf_env",
                "HF_HUB_CACHE", "~/elsewhere", "HF_HUB_OFFLINE", "0"), home);
        assertThat(env.token()).isEqualTo("hf_env");
        assertThat(env.cacheDir()).isEqualTo(home.resolve("elsewhere"));
        assertThat(env.offline()).isFalse();
        assertThat(HubOptions.fromEnvironment(Map.of("HUGGINGFACE_HUB_CACHE", "/legacy", "TRANSFORMERS_OFFLINE",
                "yes"), home)).satisfies(l -> {
                    assertThat(l.cacheDir()).isEqualTo(Path.of("/legacy"));
                    assertThat(l.offline()).isTrue();
                });
    }

    @Test
    void repoIds() {
        assertThat(HubClient.isRepoId("Qwen/Qwen2.5-0.5B-Instruct")).isTrue();
        assertThat(HubClient.isRepoId("gpt2")).isTrue();
        assertThat(HubClient.isRepoId("Intel/orca_dpo_pairs")).isTrue();
        assertThat(HubClient.isRepoId("no/such/model")).isFalse();
        assertThat(HubClient.isRepoId("/abs/path")).isFalse();
        assertThat(HubClient.isRepoId("a--b/c")).isFalse();
        assertThat(HubClient.isRepoId("../x")).isFalse();
        assertThat(HubCache.repoFolderName(RepoType.DATASET, "Intel/orca_dpo_pairs"))
                .isEqualTo("datasets--Intel--orca_dpo_pairs");
        assertThat(dev.dpo4j.hub.internal.HubApi.encode("refs/convert/parquet", false)).isEqualTo("refs%2Fconvert%2Fparquet");
        assertThat(dev.dpo4j.hub.internal.HubApi.encode("data/a b.parquet", true)).isEqualTo("data/a%20b.parquet");
    }
}
