package dev.dpo4j.cli.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.dpo4j.cli.DpoCommand;
import dev.dpo4j.collectives.GlooProvider;
import dev.dpo4j.collectives.LoopbackRanks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dpo --nproc_per_node 2} end to end: the launcher starts two ranks that meet through Gloo and train the
 * embedded demo as one run, rank 0 speaking for it.
 */
class LaunchTrainingTest {

    @TempDir
    Path tmp;

    @Test
    void twoRanksTrainAsOneRunThatRankZeroReports() throws Exception {
        assumeThat(GlooProvider.unavailableReason()).as("Gloo (g++ and libgloo-dev when dpo-collectives was built)")
                .isNull();
        Path out = tmp.resolve("out");
        Path log = tmp.resolve("launcher.log");
        Process launcher = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), DpoCommand.class.getName(),
                "--nproc_per_node", "2", "--master_port", String.valueOf(LoopbackRanks.freePort()),
                "--max_steps", "2", "--logging_steps", "1", "--output_dir", out.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(launcher.waitFor(180, TimeUnit.SECONDS)).as("the launcher finished").isTrue();
        String output = Files.readString(log);
        assertThat(launcher.exitValue()).as(output).isZero();
        assertThat(output).contains("2 ranks", "AdamW moments sharded over 2 ranks (ZeRO stage 1)", "done after 2 steps")
                .doesNotContain("[rank 1] dpo4j DPO training"); // rank 1's identical lines are not repeated
        assertThat(out.resolve("model.safetensors")).isRegularFile();
        assertThat(Files.readAllLines(out.resolve("metrics.jsonl")).stream().filter(l -> l.contains("\"loss\"")))
                .as("rank 0's rows alone").hasSize(2);
    }
}
