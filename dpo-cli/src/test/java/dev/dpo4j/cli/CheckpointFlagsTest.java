package dev.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.dpo4j.cli.DpoCommandTest.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --save_total_limit} and {@code --resume_from_checkpoint} with the output folder, on the embedded default. */
class CheckpointFlagsTest {

    @TempDir
    Path tmp;

    @Test
    void theLimitKeepsTheNewestCheckpointsAndTheOutputFolderResumesFromTheNewest() throws IOException {
        Path out = tmp.resolve("out");
        List<String> flags = List.of("--output_dir=" + out, "--save_strategy", "steps", "--save_steps", "1",
                "--save_total_limit", "2", "--logging_steps", "1", "--disable_tqdm");
        Result first = DpoCommandTest.run(Stream.concat(flags.stream(), Stream.of("--max_steps", "4"))
                .toArray(String[]::new));
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(checkpoints(out)).containsExactlyInAnyOrder("checkpoint-3", "checkpoint-4");

        Result resumed = DpoCommandTest.run(Stream.concat(flags.stream(), Stream.of("--max_steps", "6",
                "--resume_from_checkpoint", out.toString())).toArray(String[]::new));
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("resuming at step 4").contains("done after 6 steps");
        assertThat(checkpoints(out)).containsExactlyInAnyOrder("checkpoint-5", "checkpoint-6");

        // one training row per step, the first run's kept; the final evaluations of both runs (steps 4 and 6)
        List<JsonObject> rows = Files.readAllLines(out.resolve("metrics.jsonl")).stream()
                .map(line -> JsonParser.parseString(line).getAsJsonObject()).toList();
        assertThat(rows.stream().filter(r -> r.has("loss")).map(r -> r.get("step").getAsLong()))
                .containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(rows.stream().filter(r -> r.has("eval_loss")).map(r -> r.get("step").getAsLong()))
                .containsExactly(4L, 6L);
        assertThat(out.resolve("training_curves.png")).isNotEmptyFile();
    }

    @Test
    void helpAndErrorsNameTheFlags() {
        assertThat(DpoCommandTest.run("--help").out()).contains("--save_total_limit=N").contains("true / last");
        Result negative = DpoCommandTest.run("--output_dir=" + tmp.resolve("a"), "--save_total_limit", "-1");
        assertThat(negative.code()).isNotZero();
        assertThat(negative.err()).contains("save_total_limit must not be negative");
        Result nothing = DpoCommandTest.run("--output_dir=" + tmp.resolve("b"), "--resume_from_checkpoint", "last");
        assertThat(nothing.code()).isNotZero();
        assertThat(nothing.err()).contains("checkpoint folder " + tmp.resolve("b") + " does not exist");
    }

    private static List<String> checkpoints(Path out) throws IOException {
        try (Stream<Path> list = Files.list(out)) {
            return list.map(p -> p.getFileName().toString()).filter(name -> name.contains("checkpoint")).toList();
        }
    }
}
