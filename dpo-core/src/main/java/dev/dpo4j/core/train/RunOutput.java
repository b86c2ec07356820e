package dev.dpo4j.core.train;

import ai.djl.ndarray.NDArray;
import dev.dpo4j.core.checkpoint.AtomicFolder;
import dev.dpo4j.core.checkpoint.CheckpointFolders;
import dev.dpo4j.core.checkpoint.FolderLock;
import dev.dpo4j.core.checkpoint.TrainerState;
import dev.dpo4j.core.checkpoint.TrainingCheckpoint;
import dev.dpo4j.core.memory.MemoryEstimate;
import dev.dpo4j.core.metrics.JsonlMetricsWriter;
import dev.dpo4j.core.optim.OptimizerState;
import dev.dpo4j.core.trained.TrainedModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's output folder: locked for the run's life ({@link FolderLock}: one run per output folder), checked and
 * cleared of half-written checkpoints and interrupted final saves before training, the checkpoint to resume from
 * chosen, then checkpoints (at most {@code save_total_limit}) and the final model written into it.
 */
final class RunOutput implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RunOutput.class);

    private final DpoConfig config;
    private final Path tokenizerFiles;
    private FolderLock lock;

    /** @param tokenizerFiles the folder whose tokenizer files travel with saved models (may be null) */
    RunOutput(DpoConfig config, Path tokenizerFiles) {
        this.config = config;
        this.tokenizerFiles = tokenizerFiles;
    }

    /**
     * Locks the output folder (creating it) for this run, before anything else touches it; a stale lock left by a
     * killed run is taken over.
     *
     * @throws dev.dpo4j.core.checkpoint.FolderLockedException naming the holder (pid, host, since when) when another
     *     live run holds it
     */
    void lock() {
        Path resume = config.resumeFromCheckpoint();
        if (resume != null && !Files.isDirectory(resume)) {
            CheckpointFolders.resolve(resume); // names the missing folder before the lock would create it
        }
        lock = FolderLock.acquire(config.outputDir(), "output_dir");
    }

    /** Releases the output folder's lock (deleting the lock file). */
    @Override
    public void close() {
        if (lock != null) {
            lock.close();
            lock = null;
        }
    }

    /**
     * Refuses a non-empty output folder unless overwriting or resuming. A folder holding only the lock file (ours, or
     * a killed run's) is empty.
     */
    void checkOutputDir() {
        Path out = config.outputDir();
        if (config.overwriteOutputDir() || config.resumeFromCheckpoint() != null || !Files.isDirectory(out)) {
            return;
        }
        try (Stream<Path> children = Files.list(out)) {
            if (children.anyMatch(p -> !p.getFileName().toString().equals(FolderLock.FILE_NAME))) {
                throw new IllegalArgumentException("output_dir " + out + " exists and is not empty; choose "
                        + "another, set overwrite_output_dir, or resume_from_checkpoint");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("output_dir " + out + ": cannot list: " + e.getMessage(), e);
        }
    }

    /** Deletes the temporary checkpoint folders a killed run left half-written in the output folder. */
    void deleteHalfWrittenCheckpoints() {
        Path out = config.outputDir();
        try {
            List<Path> stale = CheckpointFolders.deleteTemporary(out);
            if (!stale.isEmpty()) {
                LOG.info("removed {} half-written checkpoint folder(s) left in {} by an interrupted run: {}",
                        stale.size(), out, stale.stream().map(p -> p.getFileName().toString())
                                .collect(Collectors.joining(", ")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("output_dir " + out + ": cannot remove half-written checkpoints: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Deletes the temporary {@code .NAME.tmp-*} siblings of the output folder that a run killed during its final save
     * left (only the holder of the output folder's lock writes them, and this run holds it).
     */
    void deleteInterruptedSaves() {
        Path out = config.outputDir();
        try {
            List<Path> stale = AtomicFolder.deleteInterrupted(out);
            if (!stale.isEmpty()) {
                LOG.info("removed {} half-written save folder(s) left beside {} by an interrupted run: {}",
                        stale.size(), out, stale.stream().map(p -> p.getFileName().toString())
                                .collect(Collectors.joining(", ")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("output_dir " + out + ": cannot remove the half-written save folders "
                    + "beside it: " + e.getMessage(), e);
        }
    }

    /**
     * The checkpoint {@code resume_from_checkpoint} names (itself, or the newest complete one inside it), or null.
     *
     * @throws dev.dpo4j.core.checkpoint.CheckpointException naming the folder when it holds no checkpoint
     */
    Path resumeCheckpoint() {
        Path resume = config.resumeFromCheckpoint();
        if (resume == null) {
            return null;
        }
        Path checkpoint = CheckpointFolders.resolve(resume);
        if (!checkpoint.equals(resume)) {
            LOG.info("resume_from_checkpoint {}: resuming from its newest checkpoint, {}", resume, checkpoint);
        }
        return checkpoint;
    }

    /** Drops the rows of {@code metrics.jsonl} above the step resumed at, which the resumed run writes again. */
    void dropMetricsAfter(long step) {
        dropMetricsAfter(step, false);
    }

    /**
     * As {@link #dropMetricsAfter(long)}, with the evaluation rows at {@code step} too when
     * {@code evaluationsAtStep} (written after the checkpoint was saved).
     *
     * @throws IllegalArgumentException for a negative step (no checkpoint holds one; nothing is dropped)
     */
    void dropMetricsAfter(long step, boolean evaluationsAtStep) {
        if (step < 0) {
            throw new IllegalArgumentException("cannot resume at step " + step);
        }
        Path file = config.outputDir().resolve(JsonlMetricsWriter.FILE_NAME);
        try {
            int dropped = JsonlMetricsWriter.dropRowsAfter(file, step, evaluationsAtStep);
            if (dropped > 0) {
                LOG.info("{}: dropped {} row(s) after step {}, which the resumed run writes again", file, dropped,
                        step);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot drop the rows after step " + step + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Writes a checkpoint of the policy, the optimizer and the state, with the reference's weights when it moves;
     * then, with {@code save_total_limit}, deletes the oldest checkpoints beyond it.
     *
     * @return the checkpoint folder
     */
    Path saveCheckpoint(TrainedModel model, OptimizerState optimizer, TrainerState state,
            Map<String, NDArray> movingReference) {
        Path folder;
        try {
            folder = TrainingCheckpoint.save(config.outputDir(), model.checkpointFiles(tokenizerFiles), optimizer, state,
                    movingReference);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint into " + config.outputDir() + ": "
                    + e.getMessage(), e);
        }
        int limit = config.saving().saveTotalLimit();
        if (limit > 0) {
            try {
                for (Path old : CheckpointFolders.deleteBeyond(config.outputDir(), limit, folder)) {
                    LOG.info("deleted {} (save_total_limit {})", old, limit);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete old checkpoints in " + config.outputDir()
                        + " (save_total_limit " + limit + "): " + e.getMessage(), e);
            }
        }
        return folder;
    }

    /**
     * Writes this rank's part of a sharded optimizer state where rank 0's {@link #saveCheckpoint} collects it; nothing
     * when the state is whole (rank 0 writes it).
     */
    void stageOptimizerPart(long step, OptimizerState optimizer) {
        if (optimizer.shard().ranks() == 1) {
            return;
        }
        try {
            TrainingCheckpoint.stagePart(config.outputDir(), step, optimizer);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write rank " + optimizer.shard().rank() + "'s optimizer part of "
                    + "checkpoint " + step + " into " + config.outputDir() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Saves the trained policy in the output folder: a Hugging Face model folder in {@code save_dtype}, or a PEFT
     * adapter folder (and the merged model with {@code merge_adapters}).
     */
    Path saveModel(TrainedModel model) {
        try {
            model.save(config.outputDir(), tokenizerFiles, config.saving().saveDtype());
            return config.outputDir();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the model into " + config.outputDir() + ": "
                    + e.getMessage() + "; " + saveElsewhere(model), e);
        }
    }

    /** Saves the model into a new folder under the system's temporary folder; says where, or why not. */
    private String saveElsewhere(TrainedModel model) {
        try {
            Path fallback = Files.createTempDirectory("dpo4j-unsaved-");
            Path folder = fallback.resolve("model");
            model.save(folder, tokenizerFiles, config.saving().saveDtype());
            return "the trained model was saved to " + folder + " instead";
        } catch (IOException | RuntimeException e) {
            return "saving it under the temporary folder failed too (" + e.getMessage() + "), so the trained "
                    + "weights are lost" + (config.saving().saveStrategy() == SaveStrategy.NO ? ""
                    : " beyond the last checkpoint");
        }
    }

    /**
     * Refuses a run whose output folder lacks the room for the final model and one checkpoint of
     * {@code checkpointBytes} (0 when none is saved), before training starts.
     *
     * @throws IllegalArgumentException naming the folder, the room it has and the room the run needs
     */
    void requireRoom(long modelBytes, long checkpointBytes) {
        Path out = config.outputDir();
        long usable;
        try {
            usable = Files.getFileStore(Files.isDirectory(out) ? out : out.toAbsolutePath().getParent())
                    .getUsableSpace();
        } catch (IOException e) {
            return; // the folder's store is unknown: the writability check reports a folder that cannot be used
        }
        if (usable < modelBytes + checkpointBytes) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "output_dir %s has %s free, but the "
                    + "final model takes about %s%s; free some space or choose another output_dir", out,
                    MemoryEstimate.size(usable), MemoryEstimate.size(modelBytes), checkpointBytes == 0 ? ""
                    : " and each checkpoint " + MemoryEstimate.size(checkpointBytes)));
        }
    }
}
