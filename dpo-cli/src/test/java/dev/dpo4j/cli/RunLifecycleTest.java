package dev.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dpo4j.core.checkpoint.FolderLock;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command's life around training: a held output folder is refused before anything is done, a signal before the
 * first step stops at once with nothing written, and the work folders of killed runs are removed by the next run.
 */
class RunLifecycleTest {

    @TempDir
    Path tmp;

    @Test
    void anOutputFolderAnotherRunHoldsIsRefusedNamingTheHolder() {
        Path out = tmp.resolve("out");
        try (FolderLock held = FolderLock.acquire(out, "output_dir")) {
            DpoCommandTest.Result result = DpoCommandTest.run("--output_dir=" + out, "--max_steps", "1",
                    "--disable_tqdm");
            assertThat(result.code()).as(result.err()).isEqualTo(DpoCommand.USAGE);
            assertThat(result.errLines()).containsExactly("dpo: error: --output_dir " + out + " is in use by another "
                    + "run: pid " + ProcessHandle.current().pid() + " on " + hostOf(out) + " since "
                    + sinceOf(out) + " holds its lock (" + out.resolve(FolderLock.FILE_NAME)
                    + "); wait for that run to finish, or choose another --output_dir");
            assertThat(out.resolve("model.safetensors")).doesNotExist();
        }
        // released: the folder the lock made is gone, and a run proceeds
        DpoCommandTest.Result result = DpoCommandTest.run("--output_dir=" + out, "--max_steps", "1", "--disable_tqdm");
        assertThat(result.code()).as(result.err()).isZero();
        assertThat(out.resolve("model.safetensors")).isNotEmptyFile();
        assertThat(out.resolve(FolderLock.FILE_NAME)).doesNotExist();
    }

    @Test
    void aKilledRunsLockFileAloneLeavesTheFolderEmptyForTheCommand() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.writeString(out.resolve(FolderLock.FILE_NAME), "pid=999999\nhost=gone\nsince=2026-01-01T00:00:00Z\n");
        DpoCommandTest.Result result = DpoCommandTest.run("--output_dir=" + out, "--max_steps", "1", "--disable_tqdm");
        assertThat(result.code()).as(result.err()).isZero();
        assertThat(out.resolve("model.safetensors")).isNotEmptyFile();
    }

    @Test
    void theWorkFoldersOfKilledRunsAreRemovedAndLiveOnesKept() throws Exception {
        Process gone = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-version").start();
        gone.waitFor(60, TimeUnit.SECONDS);
        Path root = Files.createDirectories(tmp.resolve("system-tmp"));
        Path killed = Files.createDirectories(root.resolve(WorkFolders.PREFIX + gone.pid() + "-123"));
        Files.writeString(killed.resolve("model.safetensors"), "x");
        Path live = WorkFolders.create(root);
        Path parent = Files.createDirectories(root.resolve(WorkFolders.PREFIX + ProcessHandle.current().parent()
                .orElseThrow().pid() + "-456"));
        Path other = Files.createDirectories(root.resolve("dpo4j-run-notours"));

        assertThat(WorkFolders.deleteAbandoned(root)).containsExactly(killed);

        assertThat(killed).doesNotExist();
        assertThat(live).exists();
        assertThat(parent).exists();
        assertThat(other).exists();
    }

    /**
     * SIGTERM while the data is being prepared (a data file that takes seconds to tokenize): the command exits at
     * once with 143, without "stopping after the current step", and writes nothing.
     */
    @Test
    void sigtermBeforeTheFirstStepExitsAtOnceWith143AndWritesNothing() throws IOException, InterruptedException {
        Path data = tmp.resolve("pairs.jsonl");
        try (BufferedWriter w = Files.newBufferedWriter(data)) {
            for (int i = 0; i < 300_000; i++) {
                w.write("{\"prompt\":\"What is " + i + " plus " + (i % 7) + "? Answer with the number only, please.\","
                        + "\"chosen\":\"" + (i + i % 7) + "\",\"rejected\":\"" + (i + i % 7 + 1) + "\"}\n");
            }
        }
        Path out = tmp.resolve("out");
        Path stdout = tmp.resolve("stdout.txt");
        Path stderr = tmp.resolve("stderr.txt");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
                "-Dai.djl.pytorch.num_interop_threads=1", "-cp", System.getProperty("java.class.path"),
                // --data_files needs a model now (issue 24): the embedded one, written to a folder
                DpoCommand.class.getName(), "--model_name_or_path", dev.dpo4j.cli.embedded.EmbeddedModel.write(
                tmp.resolve("model"), 42).toString(), "--output_dir", out.toString(), "--data_files", data.toString(),
                "--eval_fraction", "0", "--disable_tqdm")
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        long signalled;
        try {
            // the lock file appears as training begins to prepare the data (after the data files are read)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (!Files.exists(out.resolve(FolderLock.FILE_NAME))) {
                assertThat(process.isAlive()).as("still running; stderr: %s", Files.readString(stderr)).isTrue();
                assertThat(System.nanoTime()).as("training began within 180 s").isLessThan(deadline);
                Thread.sleep(20);
            }
            process.destroy(); // SIGTERM
            signalled = System.nanoTime();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exited").isTrue();
        } finally {
            process.destroyForcibly();
        }
        double seconds = (System.nanoTime() - signalled) / 1e9;

        List<String> errors = Files.readAllLines(stderr);
        assertThat(process.exitValue()).as("stderr: %s", errors).isEqualTo(DpoCommand.SIGTERM);
        assertThat(seconds).as("exited at once").isLessThan(20);
        assertThat(errors).as(String.join("\n", errors))
                .contains("interrupted before training started: stopping now; nothing was saved")
                .noneMatch(line -> line.contains("stopping after the current step"))
                .noneMatch(line -> line.startsWith("step "));
        assertThat(out).as("nothing written: the folder the run made is gone").doesNotExist();
    }

    private static String hostOf(Path out) {
        return property(out, "host");
    }

    private static String sinceOf(Path out) {
        return property(out, "since");
    }

    private static String property(Path out, String key) {
        try {
            return Files.readAllLines(out.resolve(FolderLock.FILE_NAME)).stream()
                    .filter(l -> l.startsWith(key + "=")).findFirst().orElseThrow().substring(key.length() + 1);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
