package dev.dpo4j.cli.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The launcher's flags, its plan, and each rank's command and variables: no process is started. */
class LaunchPlanTest {

    private static final JavaCommand JAVA = new JavaCommand(Path.of("/jdk/bin/java"), List.of("-Xmx8g",
            "-Dai.djl.offline=true"), "/dpo/lib/*", "dev.dpo4j.cli.DpoCommand");

    private static LaunchOptions options(Integer nproc, Integer nnodes, Integer nodeRank, String addr, Integer port) {
        return new LaunchOptions(nproc, nnodes, nodeRank, addr, port);
    }

    @Test
    void twoNodesOfFourGiveTheSecondNodeRanksFourToSeven() {
        LaunchPlan plan = LaunchPlan.of(options(4, 2, 1, "10.0.0.1", 29501), Map.of()).orElseThrow();
        List<RankProcess> ranks = RankProcess.of(plan, JAVA, List.of("--seed", "7"), Map.of());

        assertThat(plan.worldSize()).isEqualTo(8);
        assertThat(ranks).extracting(RankProcess::rank).containsExactly(4, 5, 6, 7);
        RankProcess third = ranks.get(2);
        assertThat(third.localRank()).isEqualTo(2);
        assertThat(third.environment()).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(Map.entry("RANK", "6"),
                Map.entry("WORLD_SIZE", "8"), Map.entry("LOCAL_RANK", "2"), Map.entry("LOCAL_WORLD_SIZE", "4"),
                Map.entry("GROUP_RANK", "1"), Map.entry("GROUP_WORLD_SIZE", "2"), Map.entry("ROLE_RANK", "6"),
                Map.entry("ROLE_WORLD_SIZE", "8"), Map.entry("ROLE_NAME", "default"),
                Map.entry("MASTER_ADDR", "10.0.0.1"), Map.entry("MASTER_PORT", "29501"),
                Map.entry("OMP_NUM_THREADS", "1")));
        assertThat(third.command()).containsExactly("/jdk/bin/java", "-Xmx8g", "-Dai.djl.offline=true", "-cp",
                "/dpo/lib/*", "dev.dpo4j.cli.DpoCommand", "--seed", "7");
        assertThat(third.builder().environment()).containsEntry("RANK", "6");
    }

    @Test
    void oneNodeDefaultsToTorchrunsMasterAndKeepsAGivenOmpNumThreads() {
        LaunchPlan plan = LaunchPlan.of(options(2, null, null, null, null), Map.of()).orElseThrow();
        assertThat(plan).isEqualTo(new LaunchPlan(2, 1, 0, "127.0.0.1", 29500));

        List<RankProcess> ranks = RankProcess.of(plan, JAVA, List.of(), Map.of("OMP_NUM_THREADS", "4"));
        assertThat(ranks.get(1).environment()).containsEntry("RANK", "1").containsEntry("WORLD_SIZE", "2")
                .containsEntry("MASTER_ADDR", "127.0.0.1").containsEntry("MASTER_PORT", "29500")
                .doesNotContainKey("OMP_NUM_THREADS");
        assertThat(RankProcess.of(new LaunchPlan(1, 1, 0, "127.0.0.1", 29500), JAVA, List.of(), Map.of()).get(0)
                .environment()).doesNotContainKey("OMP_NUM_THREADS");
    }

    @Test
    void withoutNprocPerNodeNothingIsLaunchedWhetherOrNotARankIsSet() {
        assertThat(LaunchPlan.of(LaunchOptions.DEFAULTS, Map.of())).isEmpty();
        assertThat(LaunchPlan.of(LaunchOptions.DEFAULTS, Map.of("RANK", "3", "WORLD_SIZE", "8"))).isEmpty();
    }

    @Test
    void launcherFlagsUnderTorchrunAreAMistake() {
        assertThatThrownBy(() -> LaunchPlan.of(options(2, null, null, null, null), Map.of("RANK", "0")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--nproc_per_node with RANK=0 "
                        + "already set");
        assertThatThrownBy(() -> LaunchPlan.of(options(2, null, null, null, null), Map.of("WORLD_SIZE", "2")))
                .hasMessageContaining("WORLD_SIZE=2");
    }

    @Test
    void badFlagsAreNamed() {
        assertThatThrownBy(() -> options(0, null, null, null, null))
                .hasMessageContaining("nproc_per_node must be at least 1, got 0");
        assertThatThrownBy(() -> options(2, 2, 2, "h", null))
                .hasMessageContaining("node_rank must be below nnodes (2), got 2");
        assertThatThrownBy(() -> options(2, null, 1, null, null))
                .hasMessageContaining("node_rank must be below nnodes (1), got 1");
        assertThatThrownBy(() -> options(2, 2, 0, null, null))
                .hasMessageContaining("--nnodes 2 needs --master_addr");
        assertThatThrownBy(() -> options(2, null, null, null, 70000))
                .hasMessageContaining("master_port must be in [1, 65535], got 70000");
        assertThatThrownBy(() -> options(2, null, null, " ", null))
                .hasMessageContaining("master_addr must not be blank");
        assertThatThrownBy(() -> options(null, 2, null, "h", null))
                .hasMessageContaining("--nnodes, --node_rank, --master_addr and --master_port go with "
                        + "--nproc_per_node");
        assertThatThrownBy(() -> options(2, 0, null, null, null)).hasMessageContaining("nnodes must be at least 1");
    }

    @Test
    void theRanksGetEveryFlagButTheLaunchers() {
        assertThat(LaunchOptions.withoutLauncherFlags(List.of("--nproc_per_node", "8", "--model_name_or_path", "m",
                "--nnodes=2", "--node-rank", "1", "--master_addr", "10.0.0.1", "--master-port=29400",
                "--data_files", "a.jsonl", "b.jsonl", "--beta=0.1")))
                .containsExactly("--model_name_or_path", "m", "--data_files", "a.jsonl", "b.jsonl", "--beta=0.1");
    }

    @Test
    void ranksTakeThisJvmsOptionsButNoAgentOrDebugger() {
        assertThat(JavaCommand.passedOn(List.of("-Xmx8g", "-agentlib:jdwp=transport=dt_socket,address=5005",
                "-javaagent:/j/jacoco.jar", "--add-opens=java.base/java.lang=ALL-UNNAMED", "-Dai.djl.offline=true",
                "-Xrunjdwp:x", "-Xdebug", "-XX:+UseG1GC")))
                .containsExactly("-Xmx8g", "--add-opens=java.base/java.lang=ALL-UNNAMED", "-Dai.djl.offline=true",
                        "-XX:+UseG1GC");
        JavaCommand current = JavaCommand.current("dev.dpo4j.cli.DpoCommand");
        assertThat(current.java()).exists();
        assertThat(current.classPath()).isEqualTo(System.getProperty("java.class.path"));
    }
}
