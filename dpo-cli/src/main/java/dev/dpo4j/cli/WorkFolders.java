package dev.dpo4j.cli;

import dev.dpo4j.core.checkpoint.AtomicFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's work folder ({@code dpo4j-run-PID-N} in the system temp folder: the embedded model, converted data),
 * deleted when the run ends. A killed run's stays behind; the next run deletes those whose process is gone (no live
 * process has that pid, or the one that has it started after the folder was made), never a live run's.
 */
final class WorkFolders {

    static final String PREFIX = "dpo4j-run-";
    private static final Logger LOG = LoggerFactory.getLogger(WorkFolders.class);
    private static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-.+");

    private WorkFolders() {
    }

    /** A new work folder in {@code root}, named after this process. */
    static Path create(Path root) throws IOException {
        return Files.createTempDirectory(root, PREFIX + ProcessHandle.current().pid() + "-");
    }

    /** The system temp folder. */
    static Path systemRoot() {
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** Deletes the work folders in {@code root} that killed runs left; says so in a log line. */
    static List<Path> deleteAbandoned(Path root) {
        List<Path> abandoned = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return abandoned;
        }
        try (Stream<Path> children = Files.list(root)) {
            children.filter(WorkFolders::isAbandoned).sorted().forEach(abandoned::add);
        } catch (IOException | UncheckedIOException e) {
            LOG.debug("cannot list {}: {}", root, e.toString());
            return abandoned;
        }
        List<Path> deleted = new ArrayList<>();
        for (Path folder : abandoned) {
            try {
                AtomicFolder.deleteRecursively(folder);
                deleted.add(folder);
            } catch (IOException | UncheckedIOException e) {
                LOG.warn("cannot remove {}, the work folder of a killed run: {}", folder, e.toString());
            }
        }
        if (!deleted.isEmpty()) {
            LOG.info("removed {} work folder(s) that killed runs left in {}: {}", deleted.size(), root,
                    deleted.stream().map(p -> p.getFileName().toString()).collect(Collectors.joining(", ")));
        }
        return deleted;
    }

    /** Whether {@code folder} is a work folder whose process is gone. */
    static boolean isAbandoned(Path folder) {
        Matcher m = NAME.matcher(folder.getFileName().toString());
        if (!m.matches() || !Files.isDirectory(folder)) {
            return false;
        }
        long pid;
        try {
            pid = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return false;
        }
        if (pid == ProcessHandle.current().pid()) {
            return false; // this process's: another run in this JVM, or ours
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            return true;
        }
        Optional<Instant> started = process.get().info().startInstant();
        if (started.isEmpty()) {
            return false;
        }
        try {
            Instant made = Files.readAttributes(folder, BasicFileAttributes.class).creationTime().toInstant();
            // a reused pid: the live process started after the folder was made (a second of slack for clocks)
            return started.get().isAfter(made.plusSeconds(1));
        } catch (IOException e) {
            return false;
        }
    }
}
