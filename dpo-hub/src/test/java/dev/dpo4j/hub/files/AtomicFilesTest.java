package dev.dpo4j.hub.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path tmp;

    @Test
    void moveReplacesTheTarget() throws IOException {
        Path from = Files.writeString(tmp.resolve("new"), "new");
        Path to = Files.writeString(tmp.resolve("old"), "old");
        AtomicFiles.move(from, to);
        assertThat(to).hasContent("new");
        assertThat(from).doesNotExist();
    }

    @Test
    void fallsBackToAPlainMoveOnlyWhenAtomicMovesAreUnsupported() throws IOException {
        Path from = Files.writeString(tmp.resolve("a"), "a");
        Path to = Files.writeString(tmp.resolve("b"), "b");
        AtomicFiles.move(from, to, (f, t) -> {
            throw new AtomicMoveNotSupportedException(f.toString(), t.toString(), "other file system");
        });
        assertThat(to).hasContent("a");
        assertThat(from).doesNotExist();

        Path again = Files.writeString(tmp.resolve("c"), "c");
        assertThatThrownBy(() -> AtomicFiles.move(again, to, (f, t) -> {
            throw new AccessDeniedException(t.toString());
        })).isInstanceOf(AccessDeniedException.class);
        assertThat(again).as("no fallback for other failures").hasContent("c");
        assertThat(to).hasContent("a");
    }

    @Test
    void writeStringLeavesNoTemporaryFile() throws IOException {
        Path ref = tmp.resolve("refs/main");
        AtomicFiles.writeString(ref, "abc");
        AtomicFiles.writeString(ref, "def");
        assertThat(ref).hasContent("def");
        try (Stream<Path> files = Files.list(ref.getParent())) {
            assertThat(files).containsExactly(ref);
        }
    }
}
