package dev.dpo4j.core.train;

import dev.dpo4j.api.train.TrainingListener;
import dev.dpo4j.api.train.TrainingSummary;
import dev.dpo4j.core.checkpoint.AtomicFolder;
import dev.dpo4j.core.checkpoint.TrainerState;
import dev.dpo4j.core.checkpoint.TrainingCheckpoint;
import dev.dpo4j.hub.HubException;
import dev.dpo4j.hub.HubUploader;
import dev.dpo4j.hub.PushResult;
import dev.dpo4j.hub.UploadFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code push_to_hub}, as transformers' Trainer does it: the repository is created (or found) before training, so a
 * missing or read-only token fails the run before any step; with {@code hub_strategy every_save} each checkpoint's
 * model (not its optimizer state) and the card of that moment are pushed in the background ("Training in progress,
 * step N"), a push being skipped while the previous one still runs; at the end, after the model is saved and the
 * card written, the output folder is pushed ("End of training"), leaving out {@code checkpoint-*} folders and names
 * starting with '.' or '_'; a run stopped early is not pushed. A failed final push throws {@link HubPushException};
 * the saved model stays where it is.
 */
final class HubPush implements TrainingListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HubPush.class);
    /** A checkpoint's training state, which stays local: only its model is pushed. */
    private static final Set<String> TRAINING_STATE = Set.of(TrainingCheckpoint.OPTIMIZER,
            TrainingCheckpoint.REFERENCE, TrainerState.FILE_NAME);
    private static final String STAGE_PREFIX = ".hub-push-";

    private final DpoConfig config;
    private final HubUploader uploader;
    private final ModelCardWriter card;
    private final String repoId;
    private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "dpo4j-hub-push");
        t.setDaemon(true);
        return t;
    });
    private Future<?> running;

    /**
     * Creates the repository (or finds it) now.
     *
     * @throws HubException naming the repository when the token is missing or may not write there
     */
    HubPush(DpoConfig config, HubUploader uploader, ModelCardWriter card) {
        this.config = config;
        this.uploader = uploader;
        this.card = card;
        String configured = config.push().repoId(config.outputDir());
        if (uploader.options().token() == null) {
            background.shutdown();
            throw new HubException(HubException.Kind.UNAUTHORIZED, configured, "push_to_hub needs a Hugging Face "
                    + "token with write access to push to " + configured + ": set HF_TOKEN or hub_token, or log in "
                    + "with `hf auth login`");
        }
        try {
            this.repoId = uploader.createRepo(configured, config.push().hubPrivateRepo());
        } catch (RuntimeException e) {
            background.shutdown();
            throw e;
        }
        card.hubModelId(repoId);
        deleteStaleStages();
        LOG.info("push_to_hub: pushing to {}/{} (hub_strategy {})", uploader.options().endpoint(), repoId,
                config.push().hubStrategy().name().toLowerCase(java.util.Locale.ROOT));
    }

    @Override
    public void onCheckpoint(Path dir, long step) {
        if (config.push().hubStrategy() != HubStrategy.EVERY_SAVE) {
            return;
        }
        if (running != null && !running.isDone()) {
            LOG.info("push_to_hub: {} is not pushed, the push of an earlier checkpoint still runs", dir.getFileName());
            return;
        }
        Path stage;
        try {
            stage = stage(dir, step);
        } catch (UncheckedIOException e) {
            LOG.warn("push_to_hub: {} is not pushed: {}", dir.getFileName(), e.getMessage());
            return;
        }
        running = background.submit(() -> pushStage(stage, dir, "Training in progress, step " + step));
    }

    /** Links (or copies) the checkpoint's model files and writes the card of this step into a hidden folder. */
    private Path stage(Path checkpoint, long step) {
        Path stage = null;
        try {
            stage = Files.createTempDirectory(config.outputDir(), STAGE_PREFIX);
            try (Stream<Path> files = Files.list(checkpoint)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    String name = file.getFileName().toString();
                    if (Files.isRegularFile(file) && !TRAINING_STATE.contains(name) && !name.startsWith(".")) {
                        linkOrCopy(file, stage.resolve(name));
                    }
                }
            }
            card.write(stage, step, false);
            return stage;
        } catch (IOException | UncheckedIOException e) {
            if (stage != null) {
                deleteQuietly(stage);
            }
            throw new UncheckedIOException("push_to_hub: cannot prepare the push of " + checkpoint + ": "
                    + e.getMessage(), e instanceof IOException io ? io : ((UncheckedIOException) e).getCause());
        }
    }

    /** A hard link costs no space and outlives the checkpoint's deletion by {@code save_total_limit}. */
    private static void linkOrCopy(Path file, Path target) throws IOException {
        try {
            Files.createLink(target, file);
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(file, target);
        }
    }

    private void pushStage(Path stage, Path checkpoint, String message) {
        try {
            PushResult result = uploader.push(repoId, UploadFile.folder(stage, p -> false), message, "");
            LOG.info("push_to_hub: pushed {} to {}", checkpoint.getFileName(), result.commitUrl());
        } catch (RuntimeException e) {
            LOG.warn("push_to_hub: pushing {} to {} failed, training goes on and the end of training pushes the "
                    + "model: {}", checkpoint.getFileName(), repoId, e.getMessage());
        } finally {
            deleteQuietly(stage);
        }
    }

    @Override
    public void onTrainingEnd(TrainingSummary summary) {
        awaitRunning();
        Path out = summary.outputDir();
        if (out == null) {
            return;
        }
        if (summary.cancelled()) {
            // stopped (Ctrl-C, SIGTERM, cancel()): no upload of unknown length now; a resumed run pushes at its end
            LOG.warn("push_to_hub: the run was stopped early, so {} is not pushed to {}; a resumed run pushes at its "
                    + "end, or push it with `hf upload {} {}`", out, repoId, repoId, out);
            return;
        }
        try {
            List<UploadFile> files = UploadFile.folder(out, HubPush::ignored);
            PushResult result = uploader.push(repoId, files, "End of training", "");
            LOG.info("push_to_hub: pushed {} changed files of {} ({} unchanged) to {}", result.committed(), out,
                    result.unchanged(), result.commitUrl());
        } catch (HubException | UncheckedIOException e) {
            throw new HubPushException(out, repoId, e);
        }
    }

    /** transformers' {@code ignore_patterns}: {@code _*} and {@code checkpoint-*}; and hidden files (the lock). */
    static boolean ignored(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        return name.startsWith(".") || path.startsWith("_") || path.startsWith(TrainingCheckpoint.PREFIX);
    }

    private void awaitRunning() {
        if (running == null) {
            return;
        }
        try {
            running.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.warn("push_to_hub: the last checkpoint's push failed: {}", e.getCause().toString());
        }
    }

    /** Stops a checkpoint push still running (the run failed or ended), waiting briefly for it to let go. */
    @Override
    public void close() {
        background.shutdownNow();
        try {
            background.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void deleteStaleStages() {
        try (Stream<Path> children = Files.list(config.outputDir())) {
            children.filter(p -> p.getFileName().toString().startsWith(STAGE_PREFIX)).forEach(HubPush::deleteQuietly);
        } catch (IOException e) {
            LOG.debug("cannot list {}: {}", config.outputDir(), e.toString());
        }
    }

    private static void deleteQuietly(Path folder) {
        try {
            AtomicFolder.deleteRecursively(folder);
        } catch (IOException | UncheckedIOException e) {
            LOG.debug("cannot delete {}: {}", folder, e.toString());
        }
    }
}
