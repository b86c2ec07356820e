package dev.dpo4j.hub.files;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * Moves files and folders into place so that readers see the old version or the new one, never half of one.
 *
 * <p>The one rule: a move is {@link StandardCopyOption#ATOMIC_MOVE} (replacing what is there); only where the file
 * system cannot move atomically ({@link AtomicMoveNotSupportedException}, e.g. across file systems or on some
 * network mounts) it falls back to a plain {@link StandardCopyOption#REPLACE_EXISTING} move. Every other failure
 * is thrown as is. Used for Hub cache blobs and refs and for saved checkpoints.
 */
public final class AtomicFiles {

    /** The atomic step of a move; replaced in tests to simulate a file system without atomic moves. */
    @FunctionalInterface
    interface AtomicMove {
        void move(Path from, Path to) throws IOException;
    }

    private static final AtomicMove ATOMIC = (from, to) -> Files.move(from, to, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);

    private AtomicFiles() {
    }

    /** Moves {@code from} to {@code to}, replacing it, atomically where the file system can (see the class). */
    public static void move(Path from, Path to) throws IOException {
        move(from, to, ATOMIC);
    }

    static void move(Path from, Path to, AtomicMove atomic) throws IOException {
        try {
            atomic.move(from, to);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Writes {@code content} (UTF-8) to a temporary sibling of {@code target} and {@link #move}s it into place,
     * creating the parent folders; the temporary file is removed when the write fails.
     */
    public static void writeString(Path target, String content) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = parent.resolve("." + target.getFileName() + "." + UUID.randomUUID().toString().substring(0, 8)
                + ".tmp");
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            move(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
