package dev.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dpo4j.cli.launch.LaunchOptions;
import dev.dpo4j.cli.launch.LaunchPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The launcher's flags on the {@code dpo} command line: parsed as the others, their mistakes exit 2 at once. */
class LaunchFlagsTest {

    @TempDir
    Path tmp;

    static Stream<Arguments> mistakes() {
        return Stream.of(
                Arguments.of(List.of("--nproc_per_node", "0"), "nproc_per_node must be at least 1, got 0"),
                Arguments.of(List.of("--nproc-per-node=2", "--nnodes", "2"), "--nnodes 2 needs --master_addr"),
                Arguments.of(List.of("--nproc_per_node", "2", "--nnodes", "2", "--node_rank", "2", "--master_addr",
                        "10.0.0.1"), "node_rank must be below nnodes (2), got 2"),
                Arguments.of(List.of("--nproc_per_node", "2", "--master_port", "0"),
                        "master_port must be in [1, 65535], got 0"),
                Arguments.of(List.of("--nproc_per_node", "2", "--master_port", "http"),
                        "master_port must be a number, got 'http'"),
                Arguments.of(List.of("--node_rank", "1"), "--nnodes, --node_rank, --master_addr and --master_port go "
                        + "with --nproc_per_node"),
                // a bad training flag is reported once, by the launcher, before any rank starts
                Arguments.of(List.of("--nproc_per_node", "2", "--beta", "-1"), "beta"));
    }

    @ParameterizedTest
    @MethodSource("mistakes")
    void aMistakeIsOneLineAndExit2(List<String> args, String message) {
        DpoCommandTest.Result result = DpoCommandTest.run(args.toArray(String[]::new));
        assertThat(result.code()).as(result.err()).isEqualTo(DpoCommand.USAGE);
        assertThat(result.errLines()).hasSize(1);
        assertThat(result.errLines().get(0)).startsWith("dpo: error: ").contains(message);
        assertThat(result.out()).isEmpty();
    }

    @Test
    void aConfigFileCannotLaunch() throws IOException {
        Path config = Files.writeString(tmp.resolve("run.yaml"), "nproc_per_node: 8\nlearning_rate: 1e-4\n");
        DpoCommandTest.Result result = DpoCommandTest.run("--config", config.toString());
        assertThat(result.code()).isEqualTo(DpoCommand.USAGE);
        assertThat(result.err()).contains("config file " + config + ": 'nproc_per_node' is a launcher flag, read "
                + "from the command line only");
    }

    @Test
    void underTorchrunTheLauncherFlagsAreAMistakeAndWithoutThemNothingIsLaunched() {
        LaunchOptions two = new LaunchOptions(2, null, null, null, null);
        assertThatThrownBy(() -> DpoCommand.launchPlan(two, Map.of("RANK", "1", "WORLD_SIZE", "2")))
                .isInstanceOf(UsageError.class).hasMessageStartingWith("--nproc_per_node with RANK=1 already set");
        assertThat(DpoCommand.launchPlan(LaunchOptions.DEFAULTS, Map.of("RANK", "1", "WORLD_SIZE", "2"))).isEmpty();
        assertThat(DpoCommand.launchPlan(two, Map.of())).contains(new LaunchPlan(2, 1, 0, "127.0.0.1", 29500));
    }

    @Test
    void helpListsTheLauncherFlagsLast() {
        String help = DpoCommandTest.run("--help").out();
        assertThat(help).contains("--nproc_per_node", "--nnodes", "--node_rank", "--master_addr", "--master_port",
                "Default: 29500.", "Several GPUs: dpo --nproc_per_node 8");
        assertThat(help.indexOf("--nproc_per_node")).isGreaterThan(help.indexOf("--cache_dir"));
    }
}
