package dev.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dpo4j.core.train.DpoConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The command's training flags default to DpoConfig's own defaults, declared nowhere else. */
class ConfigDefaultsTest {

    private static final Map<String, Object> CONFIG = DpoConfig.builder().outputDir(Path.of(".")).build().byName();

    @Test
    void flagsTakeTheConfigsDefaults() {
        CommandLine cli = ArgumentResolver.commandLine(new DpoOptions());
        cli.parseArgs();
        DpoOptions options = cli.getCommand();
        assertThat(options.learningRate).isEqualTo(CONFIG.get("learning_rate")).isEqualTo(1e-6);
        assertThat(options.beta).isEqualTo(CONFIG.get("beta")).isEqualTo(0.1);
        assertThat(options.maxLength).isEqualTo(CONFIG.get("max_length")).isEqualTo(1024);
        assertThat(options.lossType).isEqualTo("sigmoid");
        assertThat(options.saveStrategy).isEqualTo("no");
        assertThat(options.fDivergenceType).isEqualTo("reverse_kl");
        assertThat(options.seed).isEqualTo(42L);
        assertThat(options.sharePrompt).isEqualTo(CONFIG.get("share_prompt")).isEqualTo(true);
    }

    @Test
    void aFlagThatDefaultsToTrueTakesFalse() {
        CommandLine cli = ArgumentResolver.commandLine(new DpoOptions());
        cli.parseArgs("--share_prompt", "false");
        assertThat(((DpoOptions) cli.getCommand()).sharePrompt).isFalse();
        CommandLine again = ArgumentResolver.commandLine(new DpoOptions());
        again.parseArgs("--share_prompt");
        assertThat(((DpoOptions) again.getCommand()).sharePrompt).isTrue();
    }

    @Test
    void noTrainingFlagRepeatsADefaultAsAString() {
        CommandLine cli = ArgumentResolver.commandLine(new DpoOptions());
        int training = 0;
        for (OptionSpec option : cli.getCommandSpec().options()) {
            String key = ArgumentResolver.key(option);
            if (CONFIG.containsKey(key) && !key.equals("output_dir")) {
                training++;
                assertThat(option.defaultValue()).as(key).isNull();
            }
        }
        assertThat(training).isGreaterThan(30);
    }

    @Test
    void helpShowsTheDefaultsAsTyped() {
        String help = ArgumentResolver.commandLine(new DpoOptions()).getUsageMessage();
        assertThat(help).contains("Default: 1e-6").contains("Default: reverse_kl").contains("Default: 1024");
        assertThat(ConfigDefaults.format(1e-8)).isEqualTo("1e-8");
        assertThat(ConfigDefaults.format(0.999)).isEqualTo("0.999");
    }
}
