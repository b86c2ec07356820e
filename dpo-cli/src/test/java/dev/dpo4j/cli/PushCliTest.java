package dev.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dpo4j.hub.FakeHub;
import dev.dpo4j.hub.HubOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --push_to_hub on the embedded demo, against the loopback Hub: the pushed folder, and the exit codes of failures. */
class PushCliTest {

    @TempDir
    Path tmp;
    FakeHub hub;

    @BeforeEach
    void start() throws Exception {
        hub = new FakeHub();
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    DpoCommandTest.Result run(String token, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = DpoCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new AtomicReference<>(),
                new HubOptions(hub.endpoint(), tmp.resolve("cache"), token, false));
        return new DpoCommandTest.Result(code, out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8));
    }

    String[] flags(Path out, String... more) {
        String[] base = {"--output_dir", out.toString(), "--max_steps", "2", "--logging_steps", "1", "--disable_tqdm",
            "--push_to_hub", "--hub_strategy", "end"};
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void pushesTheOutputFolderToTheHubModelId() {
        DpoCommandTest.Result result = run("hf_test_token", flags(tmp.resolve("demo-out"), "--hub_model_id",
                "me/demo-dpo", "--hub_token", "hf_test_token"));
        assertThat(result.code()).as(result.err()).isZero();
        assertThat(hub.mainFiles("me/demo-dpo")).containsKeys("config.json", "model.safetensors", "README.md",
                "metrics.jsonl", "training_curves.png");
        assertThat(result.out() + result.err()).doesNotContain("hf_test_token");
    }

    @Test
    void aTokenThatCannotPushStopsBeforeTrainingWith2AndAFailedFinalPushExitsWith1() {
        Path refused = tmp.resolve("refused");
        DpoCommandTest.Result noToken = run(null, flags(refused));
        assertThat(noToken.code()).isEqualTo(2);
        assertThat(noToken.err()).startsWith("dpo: error: push_to_hub needs a Hugging Face token with write access to "
                + "push to refused");
        assertThat(refused.resolve("model.safetensors")).doesNotExist();

        hub.uploads.fail("/commit/", 403, 10);
        Path kept = tmp.resolve("kept");
        DpoCommandTest.Result failed = run("hf_test_token", flags(kept));
        assertThat(failed.code()).isEqualTo(1);
        assertThat(failed.err()).startsWith("dpo: error: the trained model is saved in " + kept
                + ", but pushing it to me/kept failed: cannot push to me/kept");
        assertThat(kept.resolve("model.safetensors")).isRegularFile();
    }
}
