package dev.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --report_to}: the flag reaches the trainer (TensorBoard's events under {@code runs/}, or no metrics file),
 * defaults to DpoConfig's {@code jsonl}, and refuses unknown names. dpo-core's tests check the events themselves.
 */
class ReportToCliTest {

    @TempDir
    Path tmp;

    @Test
    void tensorboardWritesAnEventsFileUnderRunsInsteadOfTheMetricsFile() throws IOException {
        Path out = tmp.resolve("out");
        DpoCommandTest.Result result = DpoCommandTest.run("--output_dir=" + out, "--max_steps", "2",
                "--logging_steps=1", "--eval_steps=2", "--disable_tqdm", "--report_to", "tensorboard");

        assertThat(result.code()).as(result.err()).isZero();
        assertThat(out.resolve("metrics.jsonl")).doesNotExist();
        assertThat(result.out()).contains("tensorboard   " + out.toAbsolutePath().normalize().resolve("runs"))
                .doesNotContain("metrics.jsonl");
        List<Path> events;
        try (Stream<Path> files = Files.walk(out.resolve("runs"))) {
            events = files.filter(Files::isRegularFile).toList();
        }
        assertThat(events).singleElement().satisfies(file -> {
            assertThat(file.getParent().getParent()).isEqualTo(out.resolve("runs"));
            assertThat(file.getFileName().toString()).matches("events\\.out\\.tfevents\\.\\d{10}\\..+");
        });
        byte[] bytes = Files.readAllBytes(events.get(0));
        // the first record: its length, then the file version event
        long length = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(new String(bytes, 12, (int) length, StandardCharsets.ISO_8859_1)).contains("brain.Event:2");
        assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).contains("train/loss")
                .contains("train/rewards/accuracies").contains("eval/loss");
    }

    @Test
    void jsonlAndTensorboardWriteBothAndNoneWritesNeither() throws IOException {
        Path both = tmp.resolve("both");
        Path config = Files.writeString(tmp.resolve("run.yaml"), "report_to: [jsonl, tensorboard]\n");
        DpoCommandTest.Result result = DpoCommandTest.run("--output_dir=" + both, "--max_steps", "1",
                "--logging_steps=1", "--eval_fraction=0", "--disable_tqdm", "--config", config.toString());
        assertThat(result.code()).as(result.err()).isZero();
        assertThat(both.resolve("metrics.jsonl")).isNotEmptyFile();
        assertThat(both.resolve("runs")).isNotEmptyDirectory();

        Path none = tmp.resolve("none");
        result = DpoCommandTest.run("--output_dir=" + none, "--max_steps", "1", "--logging_steps=1",
                "--eval_fraction=0", "--disable_tqdm", "--report_to=none");
        assertThat(result.code()).as(result.err()).isZero();
        assertThat(none.resolve("metrics.jsonl")).doesNotExist();
        assertThat(none.resolve("runs")).doesNotExist();
        assertThat(none.resolve("model.safetensors")).isNotEmptyFile();
    }

    @Test
    void theDefaultIsDpoConfigsAndAListOnTheCommandLineReplacesIt() {
        assertThat(ArgumentResolver.resolve(new String[0]).config().reporting().names()).containsExactly("jsonl");
        assertThat(Flags.commandLine().getUsageMessage()).contains("--report_to").contains("tensorboard");
        assertThat(ArgumentResolver.resolve(new String[] {"--report_to", "jsonl,tensorboard"}).config().reporting()
                .names()).containsExactly("jsonl", "tensorboard");
        assertThat(Flags.format(List.of(1.0, 2.5))).isEqualTo("1.0,2.5");
    }

    @Test
    void anUnknownReporterGivesOneLineNamingTheChoices() {
        DpoCommandTest.Result result = DpoCommandTest.run("--output_dir=" + tmp.resolve("out"), "--report_to",
                "jsonl,wandb");
        assertThat(result.code()).isEqualTo(DpoCommand.USAGE);
        assertThat(result.errLines()).singleElement().asString().startsWith("dpo: error: ")
                .contains("report_to must be jsonl, tensorboard, all or none, got 'wandb'")
                .contains("wandb sync --sync-tensorboard");
        assertThat(tmp.resolve("out")).doesNotExist();
    }
}
