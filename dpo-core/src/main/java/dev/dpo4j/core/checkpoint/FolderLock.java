package dev.dpo4j.core.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run per folder: a lock file ({@value #FILE_NAME}) inside the folder names the holder (pid, host, start time),
 * and an operating-system lock ({@link FileChannel#tryLock()}) on it is held by the live process for the run's life.
 * The OS drops that lock when the process dies, however it dies, so a lock file without it is stale (a killed run's)
 * and is taken over, with a log line saying whose it was. A second holder, in another process or in this one, is
 * refused with {@link FolderLockedException}, which names the holder. {@link #close()} deletes the lock file (and the
 * folder, when the lock created it and nothing else was written) and releases the lock.
 */
public final class FolderLock implements AutoCloseable {

    /** The lock file's name inside the locked folder. */
    public static final String FILE_NAME = ".dpo4j.lock";

    private static final Logger LOG = LoggerFactory.getLogger(FolderLock.class);
    /** The locks this JVM holds, by lock file (the OS lock does not exclude a second channel of the same JVM). */
    private static final Map<Path, FolderLock> HELD = new HashMap<>();
    private static final int ATTEMPTS = 5;

    private final Path folder;
    private final Path file;
    private final boolean createdFolder;
    private final String holder;
    private final String staleHolder;
    private FileChannel channel;
    private FileLock lock;

    private FolderLock(Path folder, Path file, boolean createdFolder, FileChannel channel, FileLock lock,
            String holder, String staleHolder) {
        this.holder = holder;
        this.folder = folder;
        this.file = file;
        this.createdFolder = createdFolder;
        this.channel = channel;
        this.lock = lock;
        this.staleHolder = staleHolder;
    }

    /**
     * Locks {@code folder} (created if missing) for this process, taking over a stale lock.
     *
     * @param what what the folder is, for messages ("output_dir")
     * @throws FolderLockedException naming the live holder when another run holds it
     * @throws UncheckedIOException naming the folder when it cannot be created or the lock file written
     */
    public static FolderLock acquire(Path folder, String what) {
        Path absolute = folder.toAbsolutePath().normalize();
        boolean created = !Files.exists(absolute);
        Path file;
        try {
            Files.createDirectories(absolute);
            file = absolute.toRealPath().resolve(FILE_NAME);
        } catch (IOException e) {
            throw new UncheckedIOException(what + " " + folder + ": cannot create it or write into it ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
        }
        // one thread at a time: closing any channel of a file this JVM holds locked drops the OS lock (POSIX), so
        // the lock file is never opened while HELD names it
        synchronized (HELD) {
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                FolderLock mine = HELD.get(file);
                if (mine != null) {
                    throw locked(folder, what, file, mine.holder);
                }
                FolderLock taken = tryTake(folder, what, file, created);
                if (taken != null) {
                    HELD.put(file, taken);
                    if (taken.staleHolder != null) {
                        LOG.warn("{} {}: taking over the stale lock of a run that no longer runs ({}); it was "
                                + "killed or crashed", what, folder, taken.staleHolder);
                    }
                    return taken;
                }
            }
        }
        throw new UncheckedIOException(what + " " + folder + ": cannot lock " + file
                + ": it kept being replaced while locking", new IOException("lock file replaced"));
    }

    /** One attempt: the lock, or null when the file was replaced under us (try again). Called holding HELD. */
    private static FolderLock tryTake(Path folder, String what, Path file, boolean created) {
        FileChannel channel = null;
        try {
            Object before = fileKey(file);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            Object opened = fileKey(file);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                throw locked(folder, what, file, describe(read(file)));
            }
            Object locked = fileKey(file);
            if (opened != null && (!opened.equals(locked) || before != null && !before.equals(opened))) {
                // the path names another file now: its holder deleted ours as we opened it
                lock.release();
                channel.close();
                return null;
            }
            Properties previous = readFrom(channel);
            String content = content();
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(true);
            Properties mine = new Properties();
            mine.load(new java.io.StringReader(content));
            return new FolderLock(folder, file, created, channel, lock, describe(mine),
                    previous.isEmpty() ? null : describe(previous));
        } catch (IOException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // nothing more to release
                }
            }
            throw new UncheckedIOException(what + " " + folder + ": cannot write the lock file " + file + " ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + "); is the folder writable?", e);
        }
    }

    /** The file's identity (device and inode where the platform has them), or null. */
    private static Object fileKey(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Whether another live run holds {@code folder}'s lock; never takes it. A folder without a lock file is free.
     *
     * @throws FolderLockedException naming the holder when one holds it
     */
    public static void checkFree(Path folder, String what) {
        Path file = folder.toAbsolutePath().normalize().resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return;
        }
        synchronized (HELD) {
            Path real;
            try {
                real = file.toRealPath();
            } catch (IOException e) {
                return;
            }
            FolderLock mine = HELD.get(real);
            if (mine != null) {
                throw locked(folder, what, real, mine.holder);
            }
            if (!isStale(real)) {
                throw locked(folder, what, real, describe(read(real)));
            }
        }
    }

    /** Whether {@code lockFile} exists and no live process holds its OS lock (checked by taking it briefly). */
    public static boolean isStale(Path lockFile) {
        if (!Files.isRegularFile(lockFile)) {
            return false;
        }
        synchronized (HELD) {
            try {
                if (HELD.containsKey(lockFile.toRealPath())) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            }
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                FileLock lock = channel.tryLock();
                if (lock == null) {
                    return false;
                }
                lock.release();
                return true;
            } catch (IOException | OverlappingFileLockException e) {
                return false; // unreadable: not ours to judge
            }
        }
    }

    /** Whether {@code folder}'s only entries are a lock file (held or stale): an empty folder for a new run. */
    public static boolean isEmptyButLock(Path folder) throws IOException {
        try (Stream<Path> children = Files.list(folder)) {
            return children.allMatch(p -> p.getFileName().toString().equals(FILE_NAME));
        }
    }

    /** The locked folder. */
    public Path folder() {
        return folder;
    }

    /** Who held the lock file before this run took it over, or null when it was free. */
    public String staleHolder() {
        return staleHolder;
    }

    /**
     * Releases every lock this JVM holds, deleting their files: for a shutdown that will not wait for the runs that
     * hold them (a signal before training started). Nothing of theirs is written afterwards.
     */
    public static void releaseAll() {
        synchronized (HELD) {
            List.copyOf(HELD.values()).forEach(FolderLock::close);
        }
    }

    /** Deletes the lock file (and the folder when this lock created it and it is empty), then releases the lock. */
    @Override
    public void close() {
        synchronized (HELD) {
            if (channel == null) {
                return;
            }
            release();
            HELD.remove(file, this);
        }
    }

    private void release() {
        try {
            Files.deleteIfExists(file);
            if (createdFolder) {
                try (Stream<Path> children = Files.list(folder.toAbsolutePath())) {
                    if (children.findAny().isEmpty()) {
                        Files.deleteIfExists(folder.toAbsolutePath());
                    }
                }
            }
        } catch (IOException e) {
            LOG.warn("{}: cannot delete the lock file: {}", file, e.toString());
        } finally {
            try {
                lock.release();
                channel.close();
            } catch (IOException e) {
                LOG.warn("{}: cannot release the lock: {}", file, e.toString());
            }
            channel = null;
            lock = null;
        }
    }

    private static FolderLockedException locked(Path folder, String what, Path file, String holder) {
        return new FolderLockedException(what + " " + folder + " is in use by another run: " + holder
                + " holds its lock (" + file + "); wait for that run to finish, or choose another " + what);
    }

    private static String content() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown";
        }
        return "pid=" + ProcessHandle.current().pid() + "\nhost=" + host + "\nsince="
                + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "\njvm="
                + ManagementFactory.getRuntimeMXBean().getName() + "\n";
    }

    private static String describe(Properties holder) {
        if (holder.isEmpty()) {
            return "a run (its lock file is still being written)";
        }
        return "pid " + holder.getProperty("pid", "?") + " on " + holder.getProperty("host", "?") + " since "
                + holder.getProperty("since", "?");
    }

    private static Properties read(Path file) {
        Properties p = new Properties();
        try {
            p.load(new java.io.StringReader(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (NoSuchFileException e) {
            // deleted meanwhile: no holder
        } catch (IOException | IllegalArgumentException e) {
            // unreadable: described as unknown
        }
        return p;
    }

    private static Properties readFrom(FileChannel channel) throws IOException {
        long size = Math.min(channel.size(), 4096);
        ByteBuffer buffer = ByteBuffer.allocate((int) size);
        while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) > 0) {
            // read it all
        }
        Properties p = new Properties();
        try {
            p.load(new java.io.StringReader(new String(buffer.array(), 0, buffer.position(),
                    StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException e) {
            p.setProperty("pid", "?");
        }
        return p;
    }
}
