package dev.dpo4j.cli;

import static dev.dpo4j.cli.DpoCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dpo4j.cli.DpoCommandTest.Result;
import dev.dpo4j.cli.embedded.EmbeddedDataset;
import dev.dpo4j.cli.embedded.EmbeddedModel;
import dev.dpo4j.testing.TrainedWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dpo command with LoRA: the embedded default with --use_peft, and a PEFT adapter folder as the model. */
class LoraCliTest {

    @TempDir
    Path tmp;

    @Test
    void theEmbeddedDefaultTrainsAndSavesAnAdapter() {
        Path out = tmp.resolve("out");
        Result result = run("--use_peft", "--output_dir", out.toString(), "--max_steps", "2", "--logging_steps", "1",
                "--disable_tqdm");

        assertThat(result.code()).as(result.err()).isZero();
        assertThat(out.resolve("adapter_config.json")).isNotEmptyFile();
        assertThat(out.resolve("adapter_model.safetensors")).isNotEmptyFile();
        assertThat(out.resolve("tokenizer.json")).isNotEmptyFile();
        assertThat(out.resolve("model.safetensors")).doesNotExist();
        assertThat(out.resolve("merged")).doesNotExist();
        TrainedWeights.assertAdaptersTrained(out);
        Path dir = out.toAbsolutePath().normalize();
        assertThat(result.out()).contains("done after 2 steps")
                .containsPattern("final train +loss \\d\\.\\d{4}, reward accuracy .* at step 2")
                .containsPattern("final eval +loss \\d\\.\\d{4}, reward accuracy")
                .contains("  adapter       " + dir + " (adapter_config.json, adapter_model.safetensors, "
                + "tokenizer.json); its base, the embedded model, is not kept; "
                + "--merge_adapters also saves a model folder that stands alone")
                .doesNotContain("config.json, model.safetensors").doesNotContain("merged model");
    }

    @Test
    void mergeAdaptersAlsoSavesTheMergedModel() {
        Path out = tmp.resolve("out");
        Result result = run("--use_peft", "--merge_adapters", "--output_dir", out.toString(), "--max_steps", "2",
                "--disable_tqdm");

        assertThat(result.code()).as(result.err()).isZero();
        assertThat(out.resolve("adapter_model.safetensors")).isNotEmptyFile();
        assertThat(out.resolve("merged/model.safetensors")).isNotEmptyFile();
        assertThat(out.resolve("merged/config.json")).isNotEmptyFile();
        assertThat(out.resolve("model.safetensors")).doesNotExist();
        Path dir = out.toAbsolutePath().normalize();
        assertThat(result.out()).contains("its base, the embedded model, is not kept\n")
                .contains("  merged model  " + dir.resolve("merged") + " (config.json, model.safetensors, "
                        + "tokenizer.json)");
    }

    @Test
    void anAdapterFolderIsTrainedFurtherOnItsBase() throws IOException {
        Path base = EmbeddedModel.write(tmp.resolve("base"), 42);
        Path data = EmbeddedDataset.extract(tmp.resolve("data"));
        Path first = tmp.resolve("first");
        Result lora = run("--model_name_or_path", base.toString(), "--data_files", data.toString(), "--use_peft",
                "--output_dir", first.toString(), "--max_steps", "1", "--disable_tqdm");
        assertThat(lora.code()).as(lora.err()).isZero();
        assertThat(lora.out()).contains("  adapter       " + first.toAbsolutePath().normalize() + " (")
                .doesNotContain("is not kept");
        Files.delete(first.resolve("tokenizer.json")); // the base's is used then

        Path second = tmp.resolve("second");
        Result result = run("--model_name_or_path", first.toString(), "--data_files", data.toString(),
                "--output_dir", second.toString(), "--max_steps", "1", "--disable_tqdm");

        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.out()).contains("LoRA adapter " + first.toAbsolutePath().normalize() + " on " + base
                + " (qwen2").contains("  adapter       " + second.toAbsolutePath().normalize());
        assertThat(second.resolve("adapter_config.json")).content().contains(base.toString());
        assertThat(second.resolve("tokenizer.json")).isNotEmptyFile();
        assertThat(second.resolve("model.safetensors")).doesNotExist();
    }

    @Test
    void aBrokenAdapterFolderIsOneLine() throws IOException {
        Path data = EmbeddedDataset.extract(tmp.resolve("data"));
        Path adapter = Files.createDirectories(tmp.resolve("adapter"));
        Files.writeString(adapter.resolve("adapter_config.json"), "{\"peft_type\": \"LORA\", "
                + "\"base_model_name_or_path\": \"" + tmp.resolve("gone") + "\"}");
        Files.writeString(adapter.resolve("adapter_model.bin"), "pickle");
        assertOneLine(adapter, data, "adapter folder " + adapter + " has no adapter_model.safetensors (only "
                + "adapter_model.bin: dpo4j reads safetensors only");

        Files.writeString(adapter.resolve("adapter_model.safetensors"), "x");
        assertOneLine(adapter, data, adapter.resolve("adapter_config.json") + ": base_model_name_or_path '"
                + tmp.resolve("gone") + "' is neither a local model folder nor a Hub model id (org/name)");

        Files.writeString(adapter.resolve("adapter_config.json"), "{\"peft_type\": \"LORA\"}");
        assertOneLine(adapter, data, "base_model_name_or_path is missing");
    }

    private void assertOneLine(Path model, Path data, String expected) {
        Result result = run("--model_name_or_path", model.toString(), "--data_files", data.toString(),
                "--output_dir", tmp.resolve("out").toString());
        assertThat(result.code()).as(result.err()).isEqualTo(DpoCommand.USAGE);
        assertThat(result.errLines()).hasSize(1);
        assertThat(result.errLines().get(0)).startsWith("dpo: error: ").contains(expected);
    }
}
