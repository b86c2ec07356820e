package dev.dpo4j.core.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointFoldersTest {

    @TempDir
    Path out;

    private Path checkpoint(long step, boolean complete) throws IOException {
        Path folder = Files.createDirectories(out.resolve("checkpoint-" + step));
        if (complete) {
            Files.writeString(folder.resolve(TrainerState.FILE_NAME), "{}");
        }
        return folder;
    }

    @Test
    void theNewestCompleteCheckpointIsByStepNotByName() throws IOException {
        checkpoint(9, true);
        Path newest = checkpoint(10, true);
        checkpoint(11, false);
        Files.createDirectories(out.resolve("checkpoint-x"));
        assertThat(CheckpointFolders.newest(out)).contains(newest);
        assertThat(CheckpointFolders.resolve(out)).isEqualTo(newest);
        assertThat(CheckpointFolders.resolve(newest)).isEqualTo(newest);
        assertThat(CheckpointFolders.newest(out.resolve("none"))).isEmpty();
    }

    @Test
    void theLimitDeletesTheOldestButNeverTheOneJustWritten() throws IOException {
        checkpoint(2, true);
        checkpoint(4, true);
        checkpoint(20, true);
        Path written = checkpoint(6, true);
        assertThat(CheckpointFolders.deleteBeyond(out, 2, written)).extracting(p -> p.getFileName().toString())
                .containsExactly("checkpoint-2", "checkpoint-4");
        assertThat(names()).containsExactlyInAnyOrder("checkpoint-6", "checkpoint-20");
        assertThat(CheckpointFolders.deleteBeyond(out, 1, written)).hasSize(1);
        assertThat(names()).containsExactly("checkpoint-6");
    }

    @Test
    void onlyTemporaryCheckpointFoldersAreRemoved() throws IOException {
        Path tmp = Files.createDirectories(out.resolve(AtomicFolder.tempPrefix("checkpoint-3") + "123"));
        Files.writeString(tmp.resolve("model.safetensors"), "half");
        Files.createDirectories(out.resolve(".checkpoint-4.tmp-deleting"));
        Files.createDirectories(out.resolve(".cache"));
        Files.createDirectories(out.resolve(".checkpoint-notes.tmp-1"));
        checkpoint(3, true);
        assertThat(CheckpointFolders.deleteTemporary(out)).hasSize(2);
        assertThat(names()).containsExactlyInAnyOrder(".cache", ".checkpoint-notes.tmp-1", "checkpoint-3");
    }

    private Stream<String> names() throws IOException {
        try (Stream<Path> list = Files.list(out)) {
            return list.map(p -> p.getFileName().toString()).toList().stream();
        }
    }
}
