package dev.dpo4j.cli.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real ranks: child JVMs running {@link RankProbe} under a {@link Supervisor}. */
class SupervisorTest {

    @TempDir
    Path tmp;

    /** The probe's JVM: small and quick to start. */
    static JavaCommand probe() {
        return new JavaCommand(Path.of(System.getProperty("java.home"), "bin", "java"),
                List.of("-Xmx64m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"),
                System.getProperty("java.class.path"), RankProbe.class.getName());
    }

    private record Run(int code, String out, String err, Duration took) {
    }

    private static Run run(LaunchPlan plan, Duration failureGrace, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long start = System.nanoTime();
        int code = new Supervisor(failureGrace, Duration.ofSeconds(30), Duration.ofSeconds(30)).run(
                RankProcess.of(plan, probe(), List.of(args), Map.of()), new PrintStream(out, true,
                        StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                Duration.ofNanos(System.nanoTime() - start));
    }

    @Test
    void rank0SpeaksAndOtherRanksShowOnlyTheirOwnLines() {
        Run run = run(new LaunchPlan(3, 2, 1, "10.0.0.1", 29400), Duration.ofSeconds(30), "--seed", "7");

        assertThat(run.code()).isZero();
        // the node's first rank (3 on node 1) passes through unchanged
        assertThat(run.out()).isEqualTo("the same on every rank\nrank 3 of 6, local 0 of 3, node 1, master "
                + "10.0.0.1:29400, threads 1, args [--seed, 7]\n");
        assertThat(run.err().lines()).containsExactlyInAnyOrder("the same error on every rank",
                "[rank 4] rank 4 of 6, local 1 of 3, node 1, master 10.0.0.1:29400, threads 1, args [--seed, 7]",
                "[rank 5] rank 5 of 6, local 2 of 3, node 1, master 10.0.0.1:29400, threads 1, args [--seed, 7]");
    }

    @Test
    void theFirstFailingRanksCodeIsReturnedAndTheOthersAreStopped() throws IOException {
        Run run = run(new LaunchPlan(3, 1, 0, "127.0.0.1", 29500), Duration.ofSeconds(60), "exit=1:3", "sleep=all",
                "hooks=" + tmp);

        assertThat(run.code()).as(run.err()).isEqualTo(3);
        assertThat(run.err()).contains("dpo: rank 1 exited with code 3; stopping the other ranks")
                .doesNotContain("killing");
        // the failed rank's own lines come first, though they were held for rank 0
        assertThat(run.err().indexOf("[rank 1] rank 1 of 3")).isNotNegative()
                .isLessThan(run.err().indexOf("dpo: rank 1 exited"));
        // SIGTERM, not the grace period's SIGKILL: each sleeping rank's shutdown hook ran, and was heard
        assertThat(run.err().lines()).contains("rank 0 stopped", "[rank 2] rank 2 stopped");
        assertThat(tmp.resolve("rank-0")).hasContent("done");
        assertThat(tmp.resolve("rank-2")).hasContent("done");
        assertThat(run.took()).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void aRankThatIgnoresSigtermIsKilledAfterTheGracePeriod() {
        Run run = run(new LaunchPlan(2, 1, 0, "127.0.0.1", 29500), Duration.ofSeconds(1), "exit=1:4", "sleep=0",
                "stubborn=0");

        assertThat(run.code()).isEqualTo(4);
        assertThat(run.err()).contains("dpo: rank 1 exited with code 4; stopping the other ranks",
                "dpo: rank 0 still running after SIGTERM; killing it");
    }

    @Test
    void sigtermToTheLauncherReachesEveryRank() throws IOException, InterruptedException {
        Path stderr = tmp.resolve("stderr.txt");
        Process launcher = new ProcessBuilder(probe().java().toString(), "-Xmx64m", "-cp",
                System.getProperty("java.class.path"), LaunchProbe.class.getName(), "2", "sleep=all",
                "hooks=" + tmp, "ready=" + tmp).redirectError(stderr.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(tmp.resolve("ready-0")) || !Files.exists(tmp.resolve("ready-1"))) {
                assertThat(launcher.isAlive()).as(Files.readString(stderr)).isTrue();
                assertThat(System.nanoTime() - deadline).as("both ranks started within 60 s").isNegative();
                Thread.sleep(50);
            }
            launcher.destroy(); // SIGTERM
            assertThat(launcher.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            launcher.destroyForcibly();
        }

        assertThat(launcher.exitValue()).isEqualTo(143);
        // what the ranks print as they stop still comes through
        assertThat(Files.readAllLines(stderr)).contains("rank 0 stopped", "[rank 1] rank 1 stopped");
        assertThat(tmp.resolve("rank-0")).hasContent("done");
        assertThat(tmp.resolve("rank-1")).hasContent("done");
    }
}
