package dev.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dpo4j.api.data.PreferenceExample;
import dev.dpo4j.api.template.PromptTemplate;
import dev.dpo4j.cli.DpoCommandTest.Result;
import dev.dpo4j.cli.embedded.EmbeddedModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What surprised a new user (issue 24): each answered with what will happen, a warning or a clear error. */
class NewUserTest {

    @TempDir
    Path tmp;

    @Test
    void theStartUpExampleShowsWhatWillBeTrainedUnderTheLengthLimits() {
        Result result = DpoCommandTest.run("--output_dir=" + tmp.resolve("out"), "--max_steps", "1",
                "--max_prompt_length", "4", "--max_target_length", "3", "--disable_tqdm");

        assertThat(result.code()).as(result.err()).isZero();
        Matcher header = Pattern.compile("example +the first training pair as it will be trained: prompt 4 tokens "
                + "\\(cut from (\\d+) by max_prompt_length 4, which keeps the last 4\\), chosen 3 \\(cut from (\\d+) by "
                + "max_target_length 3, which keeps the first 3\\), rejected 3 \\(cut from (\\d+) by max_target_length "
                + "3, which keeps the first 3\\)").matcher(result.out());
        assertThat(header.find()).as(result.out()).isTrue();
        assertThat(Integer.parseInt(header.group(1))).isGreaterThan(4);
        List<String> shown = result.out().lines().filter(line -> line.startsWith("    ")).toList();
        // the prompt keeps its last tokens (the embedded tokenizer's are characters): the end of the assistant header
        assertThat(shown.get(0)).startsWith("    prompt   | ");
        String prompt = shown.get(0).substring("    prompt   | ".length());
        assertThat(prompt).isNotEmpty().hasSizeLessThanOrEqualTo(4);
        assertThat("<|im_start|>assistant\n").endsWith(prompt + "\n");
        // a completion keeps its first tokens: its end-of-turn marker is cut
        assertThat(shown.get(1)).startsWith("    chosen   | ").doesNotContain("<|im_end|>");
        assertThat(shown.get(1).substring("    chosen   | ".length())).hasSize(3);
        assertThat(shown).hasSize(3);
    }

    @Test
    void theStartUpExampleSaysWhenMaxLengthDropsIt() throws Exception {
        Path model = EmbeddedModel.write(tmp.resolve("model"), 42);
        List<PreferenceExample> pairs = List.of(PreferenceExample.of("a long question", "yes indeed", "no"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        new ExamplePreview(PromptTemplate.plain(), model, pairs, 8, 0, 0).print(out);
        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .containsPattern("this pair has \\d+ tokens \\(prompt plus the longer completion\\), more than "
                        + "max_length 8: it is dropped and not trained")
                .contains("    prompt   | a long question");
        bytes.reset();
        new ExamplePreview(PromptTemplate.plain(), model, pairs, 1000, 0, 0).print(out);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).doesNotContain("dropped")
                .contains("the first training pair as the template renders it");
    }

    /** Runs the command with System.err captured too, where slf4j-simple writes the log lines. */
    private static Result runLogged(String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            Result result = DpoCommandTest.run(args);
            return new Result(result.code(), result.out(), result.err() + log.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(saved);
        }
    }

    @Test
    void aWarmupLongerThanTheRunIsAWarning() {
        Result result = runLogged("--output_dir=" + tmp.resolve("out"), "--max_steps", "3", "--warmup_steps", "5",
                "--disable_tqdm");
        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.err()).containsOnlyOnce("warmup_steps 5 is longer than the run's 3 steps: the learning rate "
                + "never reaches learning_rate 0.001");
        Result shorter = runLogged("--output_dir=" + tmp.resolve("out2"), "--max_steps", "3", "--warmup_steps", "3",
                "--disable_tqdm");
        assertThat(shorter.code()).as(shorter.err()).isZero();
        assertThat(shorter.err()).doesNotContain("warmup_steps");
    }

    @Test
    void evalPairsDroppedByMaxLengthAreReportedAsTrainsAre() throws Exception {
        Path model = EmbeddedModel.write(tmp.resolve("model"), 42);
        Path data = Files.createDirectories(tmp.resolve("data"));
        String pair = "{\"prompt\": \"a\", \"chosen\": \"b\", \"rejected\": \"c\"}\n";
        String longPair = "{\"prompt\": \"" + "x".repeat(300) + "\", \"chosen\": \"b\", \"rejected\": \"c\"}\n";
        Files.writeString(data.resolve("train.jsonl"), pair.repeat(4) + longPair);
        Files.writeString(data.resolve("test.jsonl"), pair + longPair + longPair);
        Result result = runLogged("--model_name_or_path", model.toString(), "--data_files", data.toString(),
                "--max_length", "64", "--max_steps", "1", "--output_dir", tmp.resolve("out").toString(),
                "--disable_tqdm");
        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.out()).contains("train pairs   5 read, 4 kept after max_length=64 (1 dropped)")
                .contains("eval pairs    3 read, 1 kept after max_length=64 (2 dropped)");
        assertThat(result.err()).contains("max_length=64 dropped 1 of 5 training pairs")
                .contains("max_length=64 dropped 2 of 3 eval pairs");

        Files.writeString(data.resolve("test.jsonl"), longPair + longPair);
        Result none = runLogged("--model_name_or_path", model.toString(), "--data_files", data.toString(),
                "--max_length", "64", "--max_steps", "1", "--output_dir", tmp.resolve("out2").toString(),
                "--disable_tqdm");
        assertThat(none.code()).as(none.err()).isZero();
        assertThat(none.out()).contains("eval pairs    2 read, 0 kept after max_length=64 (2 dropped: the run is not "
                + "evaluated)");
        assertThat(none.err()).contains("max_length=64 dropped all 2 eval pairs: the run is not evaluated");
    }

    @Test
    void resumingFromAFolderWithoutCheckpointsIsAUsageError() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("no-checkpoints"));
        Files.writeString(empty.resolve("notes.txt"), "not a checkpoint");
        Result result = DpoCommandTest.run("--output_dir=" + tmp.resolve("out"), "--max_steps", "1",
                "--resume_from_checkpoint", empty.toString(), "--disable_tqdm");
        assertThat(result.code()).isEqualTo(DpoCommand.USAGE);
        assertThat(result.errLines()).hasSize(1);
        assertThat(result.errLines().get(0)).startsWith("dpo: error: --resume_from_checkpoint " + empty
                + ": no valid checkpoint found");
    }

    @Test
    void dataFilesWithoutAModelIsAUsageErrorNamingBothFlags() throws Exception {
        Path data = Files.writeString(tmp.resolve("pairs.jsonl"),
                "{\"prompt\": \"a\", \"chosen\": \"b\", \"rejected\": \"c\"}\n");
        Result result = DpoCommandTest.run("--data_files", data.toString(), "--output_dir",
                tmp.resolve("out").toString(), "--max_steps", "1", "--disable_tqdm");
        assertThat(result.code()).isEqualTo(DpoCommand.USAGE);
        assertThat(result.errLines()).containsExactly("dpo: error: --data_files needs --model_name_or_path (a model "
                + "folder or Hub id): without it dpo would train the embedded random tiny model, with the demo's "
                + "defaults, on these files");
        assertThat(result.out()).doesNotContain("dpo4j DPO training");
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    @Test
    void aHubDatasetWithoutAModelIsAUsageErrorBeforeAnyDownload() throws Exception {
        Result result = DpoCommandTest.run("--dataset", "Intel/orca_dpo_pairs", "--output_dir",
                tmp.resolve("out").toString(), "--max_steps", "1", "--disable_tqdm");
        assertThat(result.code()).isEqualTo(DpoCommand.USAGE);
        assertThat(result.errLines()).containsExactly("dpo: error: --dataset Intel/orca_dpo_pairs needs "
                + "--model_name_or_path (a model folder or Hub id): without it dpo would train the embedded random "
                + "tiny model, with the demo's defaults, on that dataset");
        assertThat(tmp.resolve("out")).doesNotExist();
    }
}
