package dev.dpo4j.core.train;

import dev.dpo4j.api.train.DpoMetrics;
import dev.dpo4j.api.train.TrainingListener;
import dev.dpo4j.api.train.TrainingPlan;
import dev.dpo4j.api.train.TrainingSummary;
import dev.dpo4j.hub.HubClient;
import dev.dpo4j.hub.files.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the model card ({@link ModelCard}, {@code README.md}) into the output folder once the final model is saved,
 * as TRL writes its card into {@code output_dir}; it replaces a {@code README.md} there (dpo4j copies none from the
 * starting model). Keeps the facts the card needs as the run goes (the global batch, the last metrics), so that a
 * push of a checkpoint can carry the card of that moment.
 */
final class ModelCardWriter implements TrainingListener {

    private final DpoConfig config;
    private final String baseModel;
    private final String datasetName;
    private final boolean adapter;
    private volatile String hubModelId;
    private volatile int globalBatchSize;
    private volatile DpoMetrics lastTrain;
    private volatile DpoMetrics lastEval;

    /**
     * @param baseName the starting model as given (a Hub id or a folder), or null
     * @param datasetName the dataset's Hub id, or null
     */
    ModelCardWriter(DpoConfig config, String baseName, String datasetName, boolean adapter) {
        this.config = config;
        this.baseModel = hubId(baseName);
        this.datasetName = hubId(datasetName);
        this.adapter = adapter;
        this.hubModelId = config.push().repoId(config.outputDir());
    }

    /** A Hub id that names no local folder (TRL: {@code not os.path.isdir}), else null. */
    private static String hubId(String name) {
        return name != null && HubClient.isRepoId(name) && !Files.isDirectory(Path.of(name)) ? name : null;
    }

    /** The repository the quick start loads, once the Hub has named it in full. */
    void hubModelId(String repoId) {
        this.hubModelId = repoId;
    }

    @Override
    public void onTrainingStart(TrainingPlan plan) {
        globalBatchSize = plan.globalBatchSize();
    }

    @Override
    public void onLog(DpoMetrics metrics) {
        lastTrain = metrics;
    }

    @Override
    public void onEvaluation(DpoMetrics metrics) {
        lastEval = metrics;
    }

    @Override
    public void onTrainingEnd(TrainingSummary summary) {
        if (summary.outputDir() != null) {
            write(summary.outputDir(), summary.steps(), summary.cancelled());
        }
    }

    /** The card after {@code steps} steps. */
    String render(long steps, boolean cancelled) {
        String id = hubModelId;
        return ModelCard.render(new ModelCard.Facts(id.substring(id.lastIndexOf('/') + 1), id, baseModel,
                datasetName, adapter, config, globalBatchSize, steps, cancelled, lastTrain, lastEval));
    }

    /** Writes the card into {@code folder} atomically (a temporary file moved into place). */
    void write(Path folder, long steps, boolean cancelled) {
        Path file = folder.resolve(ModelCard.FILE_NAME);
        try {
            AtomicFiles.writeString(file, render(steps, cancelled));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the model card " + file + ": " + e.getMessage(), e);
        }
    }
}
