package dev.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArgumentResolverTest {

    @TempDir
    Path tmp;

    @Test
    void realModelDefaultsWithAModel() {
        DpoOptions o = ArgumentResolver.resolve(new String[] {"--model_name_or_path", "m", "--data_files", "d"})
                .options();
        assertThat(o.learningRate).isEqualTo(1e-6);
        assertThat(o.beta).isEqualTo(0.1);
        assertThat(o.numTrainEpochs).isEqualTo(1);
        assertThat(o.evalFraction).isEqualTo(0.05);
        assertThat(o.outputDir).isEqualTo(Path.of("dpo-output"));
        assertThat(o.template).isEqualTo("chatml");
    }

    @Test
    void demoDefaultsWithoutAModelUnlessSet() {
        ArgumentResolver.Resolved r = ArgumentResolver.resolve(new String[] {"--num-train-epochs", "2"});
        assertThat(r.options().learningRate).isEqualTo(1e-3);
        assertThat(r.options().numTrainEpochs).isEqualTo(2);
        assertThat(r.options().evalFraction).isEqualTo(0.1);
        assertThat(r.fromDemo()).contains("learning_rate").doesNotContain("num_train_epochs");
    }

    @Test
    void bothFlagSyntaxesAndBareBooleans() {
        DpoOptions o = ArgumentResolver.resolve(new String[] {"--beta=0.25", "--max_steps", "7", "--lenient",
                "--overwrite_output_dir", "true", "--precompute-ref-log-probs=false", "--data_files", "a", "b"})
                .options();
        assertThat(o.beta).isEqualTo(0.25);
        assertThat(o.maxSteps).isEqualTo(7);
        assertThat(o.lenient).isTrue();
        assertThat(o.overwriteOutputDir).isTrue();
        assertThat(o.precomputeRefLogProbs).isFalse();
        assertThat(o.dataFiles).containsExactly(Path.of("a"), Path.of("b"));
    }

    @Test
    void yamlConfigIsMergedAndFlagsOverrideIt() throws IOException {
        Path config = Files.writeString(tmp.resolve("run.yaml"), String.join("\n",
                "model_name_or_path: models/qwen",
                "learning_rate: 5.0e-7",
                "beta: 0.3",
                "gradient-accumulation-steps: 4",
                "data_files:",
                "  - data/a.parquet",
                "  - data/b.parquet",
                "lenient: true",
                "system_prompt: You are helpful.",
                ""));
        DpoOptions o = ArgumentResolver.resolve(new String[] {"--config", config.toString(), "--beta", "0.05",
                "--output_dir=out"}).options();
        assertThat(o.modelNameOrPath).isEqualTo(Path.of("models/qwen"));
        assertThat(o.learningRate).isEqualTo(5e-7);
        assertThat(o.beta).isEqualTo(0.05);
        assertThat(o.gradientAccumulationSteps).isEqualTo(4);
        assertThat(o.dataFiles).containsExactly(Path.of("data/a.parquet"), Path.of("data/b.parquet"));
        assertThat(o.lenient).isTrue();
        assertThat(o.systemPrompt).isEqualTo("You are helpful.");
        assertThat(o.outputDir).isEqualTo(Path.of("out"));
        assertThat(o.numTrainEpochs).isEqualTo(1); // a model is set: no demo defaults
    }

    @Test
    void jsonConfigListsAreReplacedNotAppendedByFlags() throws IOException {
        Path config = Files.writeString(tmp.resolve("run.json"),
                "{\"data_files\": [\"x.jsonl\", \"y.jsonl\"], \"num_train_epochs\": 3, \"--max-length\": 64}");
        DpoOptions o = ArgumentResolver.resolve(new String[] {"--config=" + config, "--data_files", "z.jsonl"})
                .options();
        assertThat(o.dataFiles).containsExactly(Path.of("z.jsonl"));
        assertThat(o.numTrainEpochs).isEqualTo(3);
        assertThat(o.maxLength).isEqualTo(64);
        assertThat(o.learningRate).isEqualTo(1e-3); // no model anywhere: the demo default
    }
}
