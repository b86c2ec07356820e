package dev.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dpo4j.core.train.DpoConfig;
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
        ArgumentResolver.Resolved r = ArgumentResolver.resolve(new String[] {"--model_name_or_path", "m",
            "--data_files", "d"});
        DpoConfig c = r.config();
        assertThat(c.optimizer().learningRate()).isEqualTo(1e-6);
        assertThat(c.loss().options().beta()).isEqualTo(0.1);
        assertThat(c.numTrainEpochs()).isEqualTo(1);
        assertThat(r.command().input().evalFraction()).isEqualTo(0.05);
        assertThat(c.outputDir()).isEqualTo(Path.of("dpo-output"));
        assertThat(r.command().input().template()).isEqualTo("chatml");
    }

    @Test
    void demoDefaultsWithoutAModelUnlessSet() {
        ArgumentResolver.Resolved r = ArgumentResolver.resolve(new String[] {"--num-train-epochs", "2"});
        assertThat(r.config().optimizer().learningRate()).isEqualTo(1e-3);
        assertThat(r.config().numTrainEpochs()).isEqualTo(2);
        assertThat(r.command().input().evalFraction()).isEqualTo(0.1);
        assertThat(r.fromDemo()).contains("learning_rate").doesNotContain("num_train_epochs");
    }

    @Test
    void bothFlagSyntaxesAndBareBooleans() {
        ArgumentResolver.Resolved r = ArgumentResolver.resolve(new String[] {"--beta=0.25", "--max_steps", "7",
            "--lenient", "--overwrite_output_dir", "true", "--precompute-ref-log-probs=false", "--data_files", "a",
            "b"});
        assertThat(r.config().loss().options().beta()).isEqualTo(0.25);
        assertThat(r.config().maxSteps()).isEqualTo(7);
        assertThat(r.command().input().lenient()).isTrue();
        assertThat(r.config().overwriteOutputDir()).isTrue();
        assertThat(r.config().reference().precomputeRefLogProbs()).isFalse();
        assertThat(r.command().input().dataFiles()).containsExactly(Path.of("a"), Path.of("b"));
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
        ArgumentResolver.Resolved r = ArgumentResolver.resolve(new String[] {"--config", config.toString(), "--beta",
            "0.05", "--output_dir=out"});
        CommandOptions.Input in = r.command().input();
        assertThat(in.modelNameOrPath()).isEqualTo(Path.of("models/qwen"));
        assertThat(r.config().optimizer().learningRate()).isEqualTo(5e-7);
        assertThat(r.config().loss().options().beta()).isEqualTo(0.05);
        assertThat(r.config().batching().gradientAccumulationSteps()).isEqualTo(4);
        assertThat(in.dataFiles()).containsExactly(Path.of("data/a.parquet"), Path.of("data/b.parquet"));
        assertThat(in.lenient()).isTrue();
        assertThat(in.systemPrompt()).isEqualTo("You are helpful.");
        assertThat(r.config().outputDir()).isEqualTo(Path.of("out"));
        assertThat(r.config().numTrainEpochs()).isEqualTo(1); // a model is set: no demo defaults
    }

    @Test
    void jsonConfigListsAreReplacedNotAppendedByFlags() throws IOException {
        Path config = Files.writeString(tmp.resolve("run.json"),
                "{\"data_files\": [\"x.jsonl\", \"y.jsonl\"], \"num_train_epochs\": 3, \"--max-length\": 64}");
        ArgumentResolver.Resolved r = ArgumentResolver.resolve(new String[] {"--config=" + config, "--data_files",
            "z.jsonl"});
        assertThat(r.command().input().dataFiles()).containsExactly(Path.of("z.jsonl"));
        assertThat(r.config().numTrainEpochs()).isEqualTo(3);
        assertThat(r.config().batching().maxLength()).isEqualTo(64);
        assertThat(r.config().optimizer().learningRate()).isEqualTo(1e-3); // no model anywhere: the demo default
    }
}
