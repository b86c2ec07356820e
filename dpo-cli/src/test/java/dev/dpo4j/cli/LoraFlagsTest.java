package dev.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dpo4j.cli.DpoCommandTest.Result;
import dev.dpo4j.core.lora.LoraOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code --use_peft} and the {@code --lora_*} flags: LoraOptions' defaults, the command line and the config file
 * reach {@link dev.dpo4j.core.train.DpoConfig#lora()}, and a bad value gives one line naming the option. Training
 * with adapters is tested in dpo-core.
 */
class LoraFlagsTest {

    @TempDir
    Path tmp;

    @Test
    void theDefaultsAreLoraOptionsDefaults() {
        assertThat(lora()).isEqualTo(LoraOptions.DEFAULTS);
    }

    @Test
    void flagsReachTheConfig() {
        LoraOptions lora = lora("--use_peft", "--lora_r", "8", "--lora-alpha=64", "--lora_dropout", "0.1",
                "--lora_target_modules", "q_proj, k_proj,v_proj", "--use_rslora", "--merge_adapters", "true",
                "--disable_dropout", "false");
        assertThat(lora).isEqualTo(new LoraOptions(true, 8, 64, 0.1, List.of("q_proj", "k_proj", "v_proj"), true,
                true, false));
        assertThat(lora.scaling()).isEqualTo(64 / Math.sqrt(8));
    }

    @Test
    void targetModulesTakeOneCommaSeparatedListOrRepeatedFlags() {
        assertThat(lora("--lora_target_modules", "all-linear").loraTargetModules()).containsExactly("all-linear");
        assertThat(lora("--lora_target_modules", "up_proj", "--lora_target_modules", "down_proj,gate_proj")
                .loraTargetModules()).containsExactly("up_proj", "down_proj", "gate_proj");
    }

    @Test
    void aBareFlagIsTrueAndDisableDropoutTakesFalse() {
        assertThat(lora("--use_peft").usePeft()).isTrue();
        assertThat(lora("--use_peft=false").usePeft()).isFalse();
        assertThat(lora("--disable_dropout").disableDropout()).isTrue();
        assertThat(lora("--disable-dropout", "false").disableDropout()).isFalse();
    }

    @Test
    void aYamlConfigTakesAListOrACommaSeparatedString() throws IOException {
        Path list = Files.writeString(tmp.resolve("list.yaml"), String.join("\n", "use_peft: true", "lora_r: 32",
                "lora_target_modules: [q_proj, v_proj, o_proj]", "use_rslora: true", "disable_dropout: false", ""));
        LoraOptions fromList = lora("--config", list.toString());
        assertThat(fromList.usePeft()).isTrue();
        assertThat(fromList.loraR()).isEqualTo(32);
        assertThat(fromList.loraTargetModules()).containsExactly("q_proj", "v_proj", "o_proj");
        assertThat(fromList.useRslora()).isTrue();
        assertThat(fromList.disableDropout()).isFalse();

        Path string = Files.writeString(tmp.resolve("string.json"),
                "{\"use_peft\": true, \"lora_target_modules\": \"q_proj,v_proj\", \"merge_adapters\": true}");
        LoraOptions fromString = lora("--config", string.toString(), "--lora_alpha", "8");
        assertThat(fromString.loraTargetModules()).containsExactly("q_proj", "v_proj");
        assertThat(fromString.mergeAdapters()).isTrue();
        assertThat(fromString.loraAlpha()).isEqualTo(8);
    }

    @Test
    void flagsOverrideTheConfigsTargetModules() throws IOException {
        Path config = Files.writeString(tmp.resolve("run.yaml"), "lora_target_modules:\n  - q_proj\n  - v_proj\n");
        assertThat(lora("--config", config.toString(), "--lora_target_modules", "all-linear").loraTargetModules())
                .containsExactly("all-linear");
    }

    @Test
    void aBadValueNamesItsOption() {
        assertThatThrownBy(() -> lora("--lora_r", "0")).isInstanceOf(UsageError.class)
                .hasMessageContaining("lora_r must be at least 1, got 0");
        assertThatThrownBy(() -> lora("--merge_adapters")).hasMessageContaining("merge_adapters needs use_peft");
    }

    static Stream<Arguments> badFlags() {
        return Stream.of(
                Arguments.of(List.of("--lora_r", "0"), "lora_r must be at least 1, got 0"),
                Arguments.of(List.of("--lora_alpha", "-2"), "lora_alpha must be at least 1, got -2"),
                Arguments.of(List.of("--lora_dropout", "1"), "lora_dropout must be in [0, 1), got 1.0"),
                Arguments.of(List.of("--lora_target_modules", "all-linear,q_proj"),
                        "lora_target_modules: all-linear stands alone"),
                Arguments.of(List.of("--lora_target_modules", "q_proj,,v_proj"),
                        "lora_target_modules must name at least one module"),
                Arguments.of(List.of("--merge_adapters"), "merge_adapters needs use_peft"),
                Arguments.of(List.of("--use_peft", "--sync_ref_model"),
                        "sync_ref_model cannot be used with use_peft"),
                Arguments.of(List.of("--lora_r", "four"), "invalid value for option '--lora_r': 'four' is not an int"),
                Arguments.of(List.of("--use_peft=maybe"),
                        "invalid value for option '--use_peft': 'maybe' is not a boolean"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFlags")
    void aBadFlagGivesOneLineAndExit2(List<String> args, String expected) {
        Path out = tmp.resolve("out");
        Result result = DpoCommandTest.run(Stream.concat(Stream.of("--output_dir=" + out), args.stream())
                .toArray(String[]::new));
        assertThat(result.code()).as(result.err()).isEqualTo(DpoCommand.USAGE);
        assertThat(result.errLines()).singleElement().asString().startsWith("dpo: error: ").contains(expected);
        assertThat(out).doesNotExist();
    }

    @Test
    void helpListsTheFlagsAndTheirDefaults() {
        String help = DpoCommandTest.run("--help").out();
        assertThat(help).contains("--use_peft", "--lora_r=R", "--lora_alpha=A", "--lora_dropout=P",
                "--lora-target-modules=NAME[,NAME...]", "--use_rslora", "--merge_adapters", "--disable_dropout",
                "Default: q_proj,v_proj", "Rank-Stabilized LoRA", "--output_dir/merged");
    }

    /** The LoRA options a command line resolves to, as the run builds them. */
    private static LoraOptions lora(String... args) {
        return ArgumentResolver.resolve(args).config().lora();
    }
}
