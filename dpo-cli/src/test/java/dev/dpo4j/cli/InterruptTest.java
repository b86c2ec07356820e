package dev.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command in a JVM of its own, as a user runs it: SIGTERM ({@link Process#destroy()}) while training runs stops
 * after the step, saves a checkpoint and the model, prints the summary and exits with 143. (Ctrl-C, SIGINT, takes the
 * same path and exits with 130; a test cannot send it portably, and a JVM started with SIGINT ignored never sees it.)
 */
class InterruptTest {

    @TempDir
    Path tmp;

    @Test
    void sigtermSavesPrintsTheSummaryAndExitsWith143() throws IOException, InterruptedException {
        Path out = tmp.resolve("out");
        Path stdout = tmp.resolve("stdout.txt");
        Path stderr = tmp.resolve("stderr.txt");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
                "-Dai.djl.pytorch.num_interop_threads=1", "-cp", System.getProperty("java.class.path"),
                DpoCommand.class.getName(), "--output_dir", out.toString(), "--logging_steps", "1")
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (Files.readAllLines(stderr).stream().noneMatch(line -> line.startsWith("step "))) {
                assertThat(process.isAlive()).as("still running; stderr: %s", Files.readString(stderr)).isTrue();
                assertThat(System.nanoTime()).as("a logged step within 180 s").isLessThan(deadline);
                Thread.sleep(100);
            }
            process.destroy(); // SIGTERM
            assertThat(process.waitFor(180, TimeUnit.SECONDS)).as("exited").isTrue();
        } finally {
            process.destroyForcibly();
        }

        List<String> errors = Files.readAllLines(stderr);
        assertThat(process.exitValue()).as("stderr: %s", errors).isEqualTo(DpoCommand.SIGTERM);
        String report = Files.readString(stdout);
        assertThat(report).contains("stopped early after").contains("final train").contains("final eval");
        assertThat(errors).anyMatch(line -> line.startsWith("interrupted: stopping after the current step"))
                .noneMatch(line -> line.contains("Exception") || line.startsWith("dpo: error"));
        assertThat(out.resolve("model.safetensors")).isNotEmptyFile();
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files.map(f -> f.getFileName().toString())).anyMatch(name -> name.startsWith("checkpoint-"));
        }
    }
}
