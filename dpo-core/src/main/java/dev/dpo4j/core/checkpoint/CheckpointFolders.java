package dev.dpo4j.core.checkpoint;

import dev.dpo4j.hub.files.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The {@code checkpoint-STEP} folders of an output folder: which one to resume from, which to delete beyond
 * {@code save_total_limit}, and the half-written temporary ones a killed run left behind. A checkpoint is complete
 * when its {@link TrainerState#FILE_NAME} exists ({@link TrainingCheckpoint#save} writes it into the temporary folder
 * before moving the folder into place).
 */
public final class CheckpointFolders {

    private static final Pattern CHECKPOINT = Pattern.compile(Pattern.quote(TrainingCheckpoint.PREFIX) + "(\\d+)");
    /** {@link AtomicFolder#tempPrefix} of a checkpoint folder, then the random suffix. */
    private static final Pattern TEMPORARY = Pattern.compile("\\." + Pattern.quote(TrainingCheckpoint.PREFIX)
            + "\\d+\\.tmp-.+");

    private CheckpointFolders() {
    }

    /** Whether {@code folder} is a complete checkpoint: its trainer state file exists. */
    public static boolean isComplete(Path folder) {
        return Files.isRegularFile(folder.resolve(TrainerState.FILE_NAME));
    }

    /** The {@code checkpoint-STEP} folders directly inside {@code folder}, complete or not, oldest step first. */
    public static List<Path> all(Path folder) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(folder)) {
            return children.filter(Files::isDirectory).filter(p -> step(p) >= 0)
                    .sorted(Comparator.comparingLong(CheckpointFolders::step)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(folder + ": cannot list checkpoints: " + e.getMessage(), e);
        }
    }

    /** The complete checkpoint with the highest step inside {@code folder}, if any. */
    public static Optional<Path> newest(Path folder) {
        List<Path> complete = all(folder).stream().filter(CheckpointFolders::isComplete).toList();
        return complete.isEmpty() ? Optional.empty() : Optional.of(complete.get(complete.size() - 1));
    }

    /**
     * The checkpoint to resume from for {@code resumeFromCheckpoint}: the folder itself when it is a complete
     * checkpoint, else the newest complete checkpoint inside it.
     *
     * @throws CheckpointException naming the folder when it is neither
     */
    public static Path resolve(Path resumeFromCheckpoint) {
        if (isComplete(resumeFromCheckpoint)) {
            return resumeFromCheckpoint;
        }
        if (!Files.isDirectory(resumeFromCheckpoint)) {
            throw new CheckpointException("resume_from_checkpoint " + resumeFromCheckpoint + ": no such folder");
        }
        return newest(resumeFromCheckpoint).orElseThrow(() -> new CheckpointException("resume_from_checkpoint "
                + resumeFromCheckpoint + ": no valid checkpoint found (neither a checkpoint folder with "
                + TrainerState.FILE_NAME + " nor a folder holding a complete " + TrainingCheckpoint.PREFIX
                + "N folder)"));
    }

    /**
     * Deletes the oldest checkpoints inside {@code folder} until at most {@code limit} remain, never {@code keep}
     * (the one just written). Each is first renamed to a temporary name, so a kill while deleting leaves no
     * half-deleted checkpoint that looks resumable.
     *
     * @return the deleted checkpoints, oldest first
     */
    public static List<Path> deleteBeyond(Path folder, int limit, Path keep) throws IOException {
        List<Path> others = new ArrayList<>(all(folder));
        others.removeIf(p -> keep != null && p.getFileName().equals(keep.getFileName()));
        int excess = others.size() - Math.max(0, limit - (keep == null ? 0 : 1));
        List<Path> deleted = new ArrayList<>();
        for (int i = 0; i < excess; i++) {
            Path checkpoint = others.get(i);
            Path doomed = checkpoint.resolveSibling(AtomicFolder.tempPrefix(checkpoint.getFileName().toString())
                    + "deleting");
            AtomicFolder.deleteRecursively(doomed);
            AtomicFiles.move(checkpoint, doomed);
            AtomicFolder.deleteRecursively(doomed);
            deleted.add(checkpoint);
        }
        return deleted;
    }

    /**
     * Deletes the temporary {@code .checkpoint-STEP.tmp-*} folders inside {@code folder} that a killed run left
     * half-written.
     *
     * @return the deleted folders
     */
    public static List<Path> deleteTemporary(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        List<Path> stale;
        try (Stream<Path> children = Files.list(folder)) {
            stale = children.filter(p -> TEMPORARY.matcher(p.getFileName().toString()).matches()).sorted().toList();
        }
        for (Path tmp : stale) {
            AtomicFolder.deleteRecursively(tmp);
        }
        return stale;
    }

    /** The step of a {@code checkpoint-STEP} folder name, or -1. */
    static long step(Path folder) {
        Matcher m = CHECKPOINT.matcher(folder.getFileName().toString());
        if (!m.matches()) {
            return -1;
        }
        try {
            return Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
