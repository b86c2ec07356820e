package dev.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DpoCommandTest {

    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = DpoCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void trainsTheEmbeddedDefaultEndToEnd() throws IOException {
        Path out = tmp.resolve("out");
        Result result = run("--output_dir=" + out, "--max_steps", "6", "--logging_steps=2", "--eval-steps", "3",
                "--disable_tqdm");

        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.out()).contains("embedded tiny qwen2").contains("global batch  8 = 8 per device x 1 "
                + "accumulation x 1 device (the Zephyr recipe aims for 32)").contains("eval pairs    26")
                .contains("train pairs   235 read, 235 kept").contains("steps         6 (max_steps)")
                .contains("learning_rate 0.001").contains("done after 6 steps").contains("final eval")
                .contains("reward accuracy");
        for (String file : List.of("model.safetensors", "config.json", "tokenizer.json", "metrics.jsonl",
                "training_curves.png")) {
            assertThat(out.resolve(file)).as(file).isNotEmptyFile();
        }
        assertThat(Files.readAllLines(out.resolve("metrics.jsonl"))).hasSize(3 + 2);
        TrainedOutputs.assertTrainedFromTheEmbeddedModel(tmp.resolve("start"), out);
        byte[] png = Files.readAllBytes(out.resolve("training_curves.png"));
        assertThat(new String(png, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
    }

    @Test
    void speedAndMemoryFlagsReachTheTrainer() {
        Path out = tmp.resolve("half");
        Result result = run("--output_dir=" + out, "--max_steps", "2", "--fp16", "--gradient_checkpointing",
                "--group_by_length", "--pad_to_multiple_of", "8", "--disable_tqdm");
        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.out()).contains("float16 (float32 master weights)").contains("done after 2 steps")
                .contains("  memory        estimated host memory per device: ").contains(", recomputed)");
        assertThat(run("--output_dir=" + tmp.resolve("bad"), "--pad_to_multiple_of", "0").err())
                .contains("pad_to_multiple_of must be at least 1, got 0");
        Result brain = run("--output_dir=" + tmp.resolve("bf16"), "--max_steps", "1", "--bf16",
                "--gradient_checkpointing", "auto", "--kernels", "torchscript", "--disable_tqdm");
        assertThat(brain.code()).as(brain.err()).isZero();
        assertThat(brain.out()).contains("bfloat16 (float32 master weights), torchscript kernels");
    }

    @Test
    void twoDevicesShowInTheSummaryAndMultiplyTheGlobalBatch() {
        Result result = run("--output_dir=" + tmp.resolve("out"), "--max_steps", "2", "--devices", "cpu, cpu",
                "--per_device_train_batch_size", "4", "--disable_tqdm");

        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.out()).contains("devices       2 (cpu(), cpu()), data-parallel, float32")
                .contains("global batch  8 = 4 per device x 1 accumulation x 2 devices").contains("done after 2 steps");
    }

    @Test
    void theStartUpShowsARenderedPairAndTheLossWeights() {
        Result result = run("--output_dir=" + tmp.resolve("out"), "--max_steps", "1", "--loss_type", "sigmoid,sft",
                "--loss_weights", "1,0.5", "--disable_tqdm");

        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.out()).containsPattern("example +the first training pair as the template renders it: "
                + "prompt \\d+ tokens, chosen \\d+, rejected \\d+")
                .contains("    prompt   | <|im_start|>user\n").contains("| <|im_start|>assistant\n")
                .containsPattern("    chosen   \\| .*<\\|im_end\\|>\n")
                .contains("loss          sigmoid,sft (1 x sigmoid + 0.5 x sft), beta 0.1");
    }

    @Test
    void anEmptyDataFileIsNamed() throws IOException {
        Path empty = Files.writeString(tmp.resolve("empty.jsonl"), "");
        // --data_files needs a model now (issue 24): the embedded one, written to a folder
        String model = dev.dpo4j.cli.embedded.EmbeddedModel.write(tmp.resolve("model"), 42).toString();
        assertOneLineError(run("--model_name_or_path", model, "--data_files", empty.toString(), "--output_dir",
                tmp.resolve("out").toString()), "data file " + empty + " is empty: no training pairs");
        assertThat(run("--model_name_or_path", model, "--data_files", empty.toString(), "--output_dir",
                tmp.resolve("out").toString()).code()).isEqualTo(DpoCommand.USAGE);
    }

    @Test
    void skippedRowsAreReportedOnceOnStandardOutput() throws IOException {
        Path data = Files.writeString(tmp.resolve("rows.jsonl"), "{\"prompt\": \"a\", \"chosen\": \"b\", "
                + "\"rejected\": \"c\"}\n{\"prompt\": \"a\"}\n");
        // --data_files needs a model now (issue 24): the embedded one, written to a folder
        Path model = dev.dpo4j.cli.embedded.EmbeddedModel.write(tmp.resolve("model"), 42);
        Result result = run("--model_name_or_path", model.toString(), "--data_files", data.toString(), "--lenient",
                "--eval_fraction", "0", "--max_steps", "1",
                "--output_dir", tmp.resolve("out").toString(), "--disable_tqdm");
        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.out()).contains("lenient: read 2 rows into 1 examples; skipped 1");
        assertThat(result.err()).doesNotContain("skipped");
    }

    @Test
    void aTrainingFailureExitsWith1() throws IOException {
        Path model = dev.dpo4j.cli.embedded.EmbeddedModel.write(tmp.resolve("model"), 42);
        Files.write(model.resolve("model.safetensors"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        Path data = dev.dpo4j.cli.embedded.EmbeddedDataset.extract(tmp.resolve("data"));
        Result result = run("--model_name_or_path", model.toString(), "--data_files", data.toString(), "--output_dir",
                tmp.resolve("out").toString(), "--max_steps", "1", "--disable_tqdm");
        assertThat(result.code()).as(result.err()).isEqualTo(DpoCommand.FAILED);
        assertThat(result.errLines()).hasSize(1);
        assertThat(result.errLines().get(0)).startsWith("dpo: error: ");
    }

    @Test
    void helpListsEveryFlagWithItsDefault() {
        Result result = run("--help");
        assertThat(result.code()).isZero();
        assertThat(result.out()).contains("--model_name_or_path", "--learning_rate", "Default: 1e-6 (demo: 1e-3)",
                "--output_dir", "dpo-output", "--per_device_train_batch_size", "--lr_scheduler_type",
                "--save_strategy", "--save_dtype", "--config", "--data_files", "--eval_fraction", "--lenient", "--devices",
                "--resume_from_checkpoint", "--precompute_ref_log_probs", "--system_prompt", "--template", "--fp16",
                "--gradient_checkpointing", "--share_prompt", "--group_by_length", "--pad_to_multiple_of", "--simpo_gamma");
        assertThat(result.err()).isEmpty();
    }

    @Test
    void lossTypeHelpNamesEveryBuiltInLoss() {
        String help = dev.dpo4j.api.options.OptionRecords.find(dev.dpo4j.core.train.DpoConfig.class, "loss_type")
                .orElseThrow().doc();
        List<String> named = java.util.Arrays.stream(help.split("[^a-z_]+")).toList();
        assertThat(named).containsAll(dev.dpo4j.core.loss.Losses.NAMES);
    }

    static Stream<Arguments> badInputs() {
        return Stream.of(
                Arguments.of("unknown flag", List.of("--learnin_rate", "1e-5"), "unknown option '--learnin_rate'"),
                Arguments.of("bad number", List.of("--beta", "abc"), "'abc' is not a double"),
                Arguments.of("bad integer", List.of("--max_steps=ten"), "'ten' is not a long"),
                Arguments.of("missing data file", List.of("--data_files", "no/such/file.jsonl"),
                        "data file no/such/file.jsonl does not exist"),
                Arguments.of("missing model", List.of("--model_name_or_path", "no/such/model", "--data_files", "x"),
                        "model folder no/such/model does not exist"),
                Arguments.of("unknown dataset", List.of("--dataset", "imdb"), "dataset adapter must be orca_dpo_pairs, "
                        + "ultrafeedback_binarized, nectar or generic, got 'imdb'"),
                Arguments.of("unknown template", List.of("--template", "alpaca"),
                        "prompt template must be chatml, llama3, zephyr, mistral, plain or trl, got 'alpaca'"),
                Arguments.of("bad schedule", List.of("--lr_scheduler_type", "step"), "lr_scheduler_type must be"),
                Arguments.of("bad option value", List.of("--per_device_train_batch_size", "0"),
                        "per_device_train_batch_size must be at least 1, got 0"),
                Arguments.of("missing config", List.of("--config", "no/such.yaml"),
                        "config file no/such.yaml does not exist"),
                Arguments.of("bad device", List.of("--device", "tpu"), "--devices must be auto or a comma-separated"),
                Arguments.of("loss weights that do not match", List.of("--loss_type", "sigmoid,sft", "--loss_weights",
                        "1"), "loss_weights has 1 value(s) but loss_type 'sigmoid,sft' names 2 loss(es)"),
                Arguments.of("bad divergence", List.of("--f_divergence_type", "tv"),
                        "f_divergence_type must be reverse_kl, forward_kl, js_divergence or alpha_divergence, got 'tv'"),
                Arguments.of("bad save dtype", List.of("--save_dtype", "int8"),
                        "save_dtype must be auto, float32, float16 or bfloat16, got 'int8'"),
                Arguments.of("bad checkpointing", List.of("--gradient_checkpointing", "maybe"),
                        "gradient_checkpointing must be true, false or auto, got 'maybe'"),
                Arguments.of("bad kernels", List.of("--kernels", "flash"),
                        "kernels must be auto, torchscript, djl, got 'flash'"),
                Arguments.of("bf16 with djl kernels", List.of("--bf16", "--kernels", "djl", "--max_steps", "1"),
                        "bf16 needs the TorchScript kernels"),
                Arguments.of("bad device in a list", List.of("--devices", "cpu,,cpu"),
                        "--devices must be auto or a comma-separated list of cpu, gpu, gpu0, gpu1, ..., got ''"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void badInputGivesOneLineAndNonZeroExit(String name, List<String> args, String expected) {
        assertOneLineError(run(args.toArray(String[]::new)), expected);
    }

    @Test
    void badConfigKeyGivesOneLine() throws IOException {
        Path config = Files.writeString(tmp.resolve("run.yaml"), "learning_rate: 1e-4\nlearnig_rate: 3\n");
        assertOneLineError(run("--config", config.toString()), "unknown key 'learnig_rate'; did you mean "
                + "'learning_rate'?");
    }

    @Test
    void onlyUnknownCommandLineArgumentsPointAtHelp() throws IOException {
        assertThat(run("--learnin_rate", "1e-5").errLines().get(0)).endsWith(" (dpo --help lists the flags)");
        assertThat(run("stray").errLines().get(0)).contains("unexpected argument 'stray'")
                .endsWith(" (dpo --help lists the flags)");
        assertThat(run("--beta", "abc").errLines().get(0)).doesNotContain("--help");
        Path config = Files.writeString(tmp.resolve("bad.yaml"), "learnig_rate: 3\n");
        assertThat(run("--config", config.toString()).errLines().get(0)).doesNotContain("--help");
    }

    @Test
    void badConfigValueNamesTheFile() throws IOException {
        Path config = Files.writeString(tmp.resolve("run.json"), "{\"num_train_epochs\": \"many\"}");
        assertOneLineError(run("--config", config.toString()), "config file " + config + ": invalid value for "
                + "option '--num_train_epochs': 'many' is not an int");
    }

    @Test
    void unparsableConfigGivesOneLine() throws IOException {
        Path config = Files.writeString(tmp.resolve("run.yaml"), "beta: [0.1\n");
        assertOneLineError(run("--config", config.toString()), "is not valid YAML");
    }

    @Test
    void nonEmptyOutputDirIsRefused() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.writeString(out.resolve("keep.txt"), "mine");
        assertOneLineError(run("--output_dir", out.toString(), "--max_steps", "1"), "--output_dir " + out
                + " is not empty; pass --overwrite_output_dir");
        assertThat(out.resolve("keep.txt")).hasContent("mine");
    }

    private static void assertOneLineError(Result result, String expected) {
        assertThat(result.code()).isEqualTo(DpoCommand.USAGE);
        assertThat(result.errLines()).hasSize(1);
        assertThat(result.errLines().get(0)).startsWith("dpo: error: ").contains(expected)
                .doesNotContain("Exception");
        assertThat(result.out()).isEmpty();
    }
}
