package dev.dpo4j.core.checkpoint;

import dev.dpo4j.hub.files.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes a folder's files into a temporary sibling and renames it into place, so that a crash never leaves a
 * half-written folder where a complete one is expected. Files already in the target that the writer does not
 * produce (a user's other files in an output folder) are kept. Each move follows {@link AtomicFiles}' rule (atomic,
 * a plain replace only where the file system cannot move atomically).
 */
public final class AtomicFolder {

    /** What fills the temporary folder. */
    @FunctionalInterface
    public interface Writer {
        /** Writes the folder's files into {@code tmp}. */
        void write(Path tmp) throws IOException;
    }

    private AtomicFolder() {
    }

    /** Fills a temporary sibling of {@code target} with {@code writer}, then moves its files into {@code target}. */
    public static void write(Path target, Writer writer) throws IOException {
        Path absolute = target.toAbsolutePath();
        Files.createDirectories(absolute.getParent());
        Path tmp = Files.createTempDirectory(absolute.getParent(), tempPrefix(absolute.getFileName().toString()));
        try {
            writer.write(tmp);
            if (!Files.exists(absolute)) {
                AtomicFiles.move(tmp, absolute);
                return;
            }
            try (Stream<Path> files = Files.list(tmp)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    AtomicFiles.move(file, absolute.resolve(file.getFileName().toString()));
                }
            }
        } finally {
            deleteRecursively(tmp);
        }
    }

    /**
     * The name start of the temporary sibling that {@link #write} fills for a folder named {@code name}:
     * {@code .NAME.tmp-} followed by a random suffix. One left behind was being written when the process died.
     */
    public static String tempPrefix(String name) {
        return "." + name + ".tmp-";
    }

    /**
     * Deletes the temporary siblings ({@link #tempPrefix}) of {@code target} that a process killed during
     * {@link #write} left. Call it only while no live process writes {@code target} (a run holds its
     * {@link FolderLock}).
     *
     * @return the deleted folders
     */
    public static List<Path> deleteInterrupted(Path target) throws IOException {
        Path absolute = target.toAbsolutePath().normalize();
        Path parent = absolute.getParent();
        if (parent == null || absolute.getFileName() == null || !Files.isDirectory(parent)) {
            return List.of();
        }
        String prefix = tempPrefix(absolute.getFileName().toString());
        List<Path> stale;
        try (Stream<Path> siblings = Files.list(parent)) {
            stale = siblings.filter(p -> p.getFileName().toString().startsWith(prefix)
                    && p.getFileName().toString().length() > prefix.length() && Files.isDirectory(p)).sorted()
                    .toList();
        }
        for (Path tmp : stale) {
            deleteRecursively(tmp);
        }
        return stale;
    }

    /** Deletes a folder and everything in it, if it exists. */
    public static void deleteRecursively(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(folder)) {
            walk.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
