package dev.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dpo4j.api.options.OptionDeclaration;
import dev.dpo4j.api.options.OptionRecords;
import dev.dpo4j.core.train.DpoConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.OptionSpec;

/** The command's flags, help and config keys are derived from the option declarations, declared nowhere else. */
class ConfigDefaultsTest {

    private static final Map<String, Object> CONFIG = DpoConfig.builder().outputDir(Path.of(".")).build().byName();

    @Test
    void flagsTakeTheConfigsDefaults() {
        DpoConfig c = ArgumentResolver.resolve(new String[] {"--model_name_or_path", "m", "--data_files", "d"})
                .config();
        assertThat(c.optimizer().learningRate()).isEqualTo(CONFIG.get("learning_rate")).isEqualTo(1e-6);
        assertThat(c.loss().options().beta()).isEqualTo(CONFIG.get("beta")).isEqualTo(0.1);
        assertThat(c.batching().maxLength()).isEqualTo(CONFIG.get("max_length")).isEqualTo(1024);
        assertThat(c.loss().lossType()).isEqualTo("sigmoid");
        assertThat(c.seed()).isEqualTo(42L);
        assertThat(c.batching().sharePrompt()).isEqualTo(CONFIG.get("share_prompt")).isEqualTo(true);
        assertThat(c.byName()).isEqualTo(DpoConfig.builder().outputDir(Path.of("dpo-output")).build().byName());
    }

    @Test
    void aFlagThatDefaultsToTrueTakesFalse() {
        assertThat(ArgumentResolver.resolve(new String[] {"--share_prompt", "false"}).config().batching()
                .sharePrompt()).isFalse();
        assertThat(ArgumentResolver.resolve(new String[] {"--share_prompt"}).config().batching().sharePrompt())
                .isTrue();
    }

    @Test
    void everyDeclaredOptionIsAFlagInBothSpellingsAndNoFlagRepeatsADefault() {
        Map<String, OptionSpec> flags = Flags.commandLine().getCommandSpec().options().stream()
                .collect(Collectors.toMap(Flags::key, o -> o, (a, b) -> a));
        List<OptionDeclaration> declared = Flags.declarations();
        assertThat(declared).hasSizeGreaterThan(60);
        for (OptionDeclaration option : declared) {
            OptionSpec flag = flags.get(option.name());
            assertThat(flag).as(option.name()).isNotNull();
            assertThat(flag.defaultValue()).as(option.name()).isNull();
            for (String name : option.names()) {
                assertThat(flag.names()).contains("--" + name, "--" + name.replace('_', '-'));
            }
        }
        assertThat(OptionRecords.flattened(DpoConfig.class).stream().map(OptionDeclaration::name))
                .containsExactlyElementsOf(CONFIG.keySet());
    }

    @Test
    void usageDocumentsEveryFlag() throws IOException {
        String usage = Files.readString(Path.of("USAGE.md"));
        Set<String> missing = Flags.declarations().stream().map(OptionDeclaration::name)
                .filter(name -> !usage.contains("`--" + name)).collect(Collectors.toSet());
        assertThat(missing).as("flags missing from USAGE.md").isEmpty();
    }

    @Test
    void helpShowsTheDefaultsAsTyped() {
        String help = Flags.commandLine().getUsageMessage().replaceAll("\\s+", " ");
        assertThat(help).contains("Default: 1e-6").contains("Default: reverse_kl").contains("Default: 1024")
                .contains("Default: 0.05 (demo: 0.1)").contains("Default: dpo-output.");
        assertThat(Flags.format(1e-8)).isEqualTo("1e-8");
        assertThat(Flags.format(1e-3)).isEqualTo("1e-3");
        assertThat(Flags.format(2.5e-4)).isEqualTo("2.5e-4");
        assertThat(Flags.format(0.999)).isEqualTo("0.999");
    }
}
