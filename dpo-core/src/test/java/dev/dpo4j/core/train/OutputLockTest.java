package dev.dpo4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonParser;
import dev.dpo4j.api.train.TrainingListener;
import dev.dpo4j.api.train.TrainingPlan;
import dev.dpo4j.core.checkpoint.FolderLock;
import dev.dpo4j.core.checkpoint.FolderLockedException;
import dev.dpo4j.core.checkpoint.HoldFolderLock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** One run per output folder: a second is refused naming the holder; a killed run's lock is taken over. */
class OutputLockTest extends TinyModelTraining {

    private static final String PID = "pid " + ProcessHandle.current().pid();

    @Test
    void aSecondTrainerOnTheSameFolderIsRefusedWhileTheFirstRunsAndProceedsAfterIt() throws IOException {
        Path out = tmp.resolve("out");
        AtomicReference<Throwable> second = new AtomicReference<>();
        AtomicReference<List<String>> filesWhileRefused = new AtomicReference<>();
        trainer(out).maxSteps(3).loggingSteps(1).overwriteOutputDir(true).listener(new TrainingListener() {
            @Override
            public void onTrainingStart(TrainingPlan plan) {
                try {
                    trainer(out).maxSteps(2).loggingSteps(1).overwriteOutputDir(true).build().train();
                } catch (Throwable e) {
                    second.set(e);
                }
                filesWhileRefused.set(children(out));
            }
        }).build().train();

        assertThat(second.get()).isInstanceOf(FolderLockedException.class)
                .hasMessageStartingWith("output_dir " + out + " is in use by another run: " + PID + " on ")
                .hasMessageContaining(" since ").hasMessageContaining(FolderLock.FILE_NAME);
        assertThat(filesWhileRefused.get()).containsExactly(FolderLock.FILE_NAME);
        // one run's rows, each step once; the lock is gone
        assertThat(steps(out)).containsExactly(1L, 2L, 3L);
        assertThat(out.resolve(FolderLock.FILE_NAME)).doesNotExist();
        assertThat(out.resolve("model.safetensors")).isNotEmptyFile();

        // released: the next run proceeds (resuming works with the lock file in place)
        trainer(out).maxSteps(4).loggingSteps(1).saveStrategy(SaveStrategy.STEPS).saveSteps(2).saveTotalLimit(1)
                .overwriteOutputDir(true).build().train();
        trainer(out).maxSteps(5).loggingSteps(1).saveStrategy(SaveStrategy.STEPS).saveSteps(2).saveTotalLimit(1)
                .resumeFromCheckpoint(true).build().train();
        assertThat(children(out)).filteredOn(n -> n.startsWith("checkpoint-")).containsExactly("checkpoint-4");
        assertThat(out.resolve(FolderLock.FILE_NAME)).doesNotExist();
    }

    @Test
    void aHeldLockRefusesTheRunBeforeItWritesAnything() {
        Path out = tmp.resolve("held");
        try (FolderLock held = FolderLock.acquire(out, "output_dir")) {
            assertThatThrownBy(() -> trainer(out).maxSteps(1).build().train())
                    .isInstanceOf(FolderLockedException.class).hasMessageContaining(PID);
            assertThat(children(out)).containsExactly(FolderLock.FILE_NAME);
        }
        assertThat(out).doesNotExist(); // the lock created it, and nothing else was written
    }

    @Test
    void aLockHeldByAnotherProcessIsRefusedAndTakenOverOnceThatProcessIsKilled() throws Exception {
        Path out = tmp.resolve("other");
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), HoldFolderLock.class.getName(), out.toString())
                .redirectErrorStream(true).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                    StandardCharsets.UTF_8));
            assertThat(lines.readLine()).isEqualTo("locked");
            assertThatThrownBy(() -> trainer(out).maxSteps(1).build().train())
                    .isInstanceOf(FolderLockedException.class)
                    .hasMessageContaining("is in use by another run: pid " + holder.pid() + " on ");
        } finally {
            holder.destroyForcibly(); // kill -9: the lock file stays, the OS lock goes
            holder.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(out.resolve(FolderLock.FILE_NAME)).exists();
        assertThat(FolderLock.isStale(out.resolve(FolderLock.FILE_NAME))).isTrue();

        // the folder with only the killed run's lock file counts as empty
        trainer(out).maxSteps(1).build().train();
        assertThat(out.resolve("model.safetensors")).isNotEmptyFile();
        assertThat(out.resolve(FolderLock.FILE_NAME)).doesNotExist();
    }

    @Test
    void aStaleLockFileIsTakenOverNamingItsHolder() throws IOException {
        Path out = tmp.resolve("stale");
        Files.createDirectories(out);
        Files.writeString(out.resolve(FolderLock.FILE_NAME), "pid=999999\nhost=gone\nsince=2026-01-01T00:00:00Z\n");
        try (FolderLock lock = FolderLock.acquire(out, "output_dir")) {
            assertThat(lock.staleHolder()).isEqualTo("pid 999999 on gone since 2026-01-01T00:00:00Z");
            assertThat(out.resolve(FolderLock.FILE_NAME)).content().contains(PID.replace("pid ", "pid="));
        }
        assertThat(out).exists(); // it was not the lock's to delete
    }

    @Test
    void theHalfWrittenFinalSaveBesideTheOutputFolderIsRemovedAtStart() throws IOException {
        Path out = tmp.resolve("out");
        Path interrupted = tmp.resolve(".out.tmp-12345");
        Files.createDirectories(interrupted);
        Files.writeString(interrupted.resolve("model.safetensors"), "half");
        Path otherFolders = tmp.resolve(".out2.tmp-1");
        Files.createDirectories(otherFolders);

        trainer(out).maxSteps(1).build().train();

        assertThat(interrupted).doesNotExist();
        assertThat(otherFolders).exists();
    }

    @Test
    void anOutputFolderThatCannotBeWrittenIsRefusedBeforeTrainingNamingIt() throws IOException {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        Path out = file.resolve("out");
        assertThatThrownBy(() -> trainer(out).maxSteps(1).build().train())
                .isInstanceOf(java.io.UncheckedIOException.class)
                .hasMessageStartingWith("output_dir " + out + ": cannot create it or write into it");
    }

    static List<String> children(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<Long> steps(Path out) throws IOException {
        return Files.readAllLines(out.resolve("metrics.jsonl")).stream()
                .map(line -> JsonParser.parseString(line).getAsJsonObject())
                .map(o -> o.get("step").getAsLong()).toList();
    }
}
