package dev.dpo4j.collectives;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dpo4j.core.distributed.Collectives;
import dev.dpo4j.core.distributed.CollectivesException;
import dev.dpo4j.core.distributed.RankEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two ranks in two JVMs: this one (rank 0) and a {@link RankProcess} (rank 1). */
class GlooProcessesTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path logs;

    @Test
    void twoProcessesAllReduce() throws Exception {
        ThreadRanks.assumeGloo();
        int port = LoopbackRanks.freePort();
        Process other = start(port, "exit");
        try (NDManager manager = NDManager.newBaseManager(Device.cpu());
                Collectives rank0 = Collectives.connect(RankEnvironment.loopback(0, 2, port), Device.cpu(), TIMEOUT)) {
            NDArray x = manager.create(new float[] {1, 5});
            rank0.allReduceSum(x);
            assertThat(x.toFloatArray()).containsExactly(3, 10);
        }
        assertThat(other.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(other.exitValue()).as(log()).isZero();
        assertThat(log()).contains("sum [3.0, 10.0]");
    }

    @Test
    void aRankThatDiesMakesTheSurvivorFailQuickly() throws Exception {
        ThreadRanks.assumeGloo();
        int port = LoopbackRanks.freePort();
        Process other = start(port, "die");
        try (NDManager manager = NDManager.newBaseManager(Device.cpu());
                Collectives rank0 = Collectives.connect(RankEnvironment.loopback(0, 2, port), Device.cpu(), TIMEOUT)) {
            NDArray x = manager.create(new float[] {1, 5});
            rank0.allReduceSum(x);
            assertThat(other.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(other.exitValue()).as(log()).isEqualTo(7);
            long start = System.nanoTime();
            assertThatThrownBy(() -> rank0.allReduceSum(x)).isInstanceOf(CollectivesException.class)
                    .hasMessageStartingWith("Gloo all-reduce failed: ")
                    .hasMessageContaining("Connection closed by peer");
            // the peer's closed connection is seen at once, long before the 30 s timeout
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
        } finally {
            other.destroyForcibly();
        }
    }

    private Process start(int port, String mode) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-cp", System.getProperty("java.class.path"), "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_threads=1", RankProcess.class.getName(), String.valueOf(port), "1", "2", mode,
                String.valueOf(TIMEOUT.toMillis()));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(logs.resolve("rank1.log").toFile())
                .start();
    }

    private String log() {
        try {
            return Files.readString(logs.resolve("rank1.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
