package dev.dpo4j.cli;

import dev.dpo4j.adapters.DatasetSource;
import dev.dpo4j.cli.embedded.EmbeddedModel;
import dev.dpo4j.core.train.DpoTrainer;
import dev.dpo4j.hub.HubClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The model step of a run: the embedded tiny model, a local model or adapter folder, or a Hub id; checked before
 * anything slow happens, written, found or downloaded once the run starts, and set as the trainer's policy.
 */
final class ModelStep {

    private final Path modelNameOrPath;
    private final String revision;
    private final long seed;
    private final String hubModel;
    private ModelFolders model;
    private String description;

    /**
     * Checks what can be checked without the Hub.
     *
     * @throws UsageError when the folder is incomplete, or a model is given without data
     */
    ModelStep(CommandOptions.Input in, CommandOptions.Setup setup, long seed, boolean dataGiven) {
        this.modelNameOrPath = in.modelNameOrPath();
        this.revision = setup.revision();
        this.seed = seed;
        String hubId = null;
        if (modelNameOrPath != null) {
            if (Files.exists(modelNameOrPath) || !isHubModelId(modelNameOrPath.toString())) {
                ModelFolders.check(modelNameOrPath);
            } else {
                hubId = modelNameOrPath.toString();
            }
            if (!dataGiven) {
                throw new UsageError("--model_name_or_path needs --data_files or a Hub dataset id in --dataset (the "
                        + "embedded pairs are only used with the embedded model)");
            }
        }
        hubModel = hubId;
    }

    /** An org/name Hub id that is not an existing path (single names are taken as local folders). */
    static boolean isHubModelId(String s) {
        return DatasetSource.isHubRepoId(s);
    }

    /** Whether it is the embedded model (no --model_name_or_path). */
    boolean embedded() {
        return modelNameOrPath == null;
    }

    /** Writes, finds or downloads the model folder. */
    ModelFolders resolve(Path work, Supplier<HubClient> hub) {
        if (modelNameOrPath == null) {
            model = ModelFolders.model(EmbeddedModel.write(work.resolve("embedded-model"), seed));
            description = "embedded tiny " + EmbeddedModel.describe(EmbeddedModel.config())
                    + ", random init with seed " + seed;
        } else if (hubModel != null) {
            model = ModelFolders.resolve(hub.get().snapshot(hubModel, revision), hub.get()::snapshot);
            description = model.describe(hubModel + (revision == null ? "" : "@" + revision) + " from the Hub, "
                    + model.folder());
        } else {
            model = ModelFolders.resolve(modelNameOrPath, id -> hub.get().snapshot(id));
            description = model.describe(modelNameOrPath.toAbsolutePath().normalize().toString());
        }
        return model;
    }

    /** What {@link #resolve} found, for the report. */
    String description() {
        return description;
    }

    /**
     * Sets the policy: a Hub id, or an adapter folder, through the run's Hub client (so that a base on the Hub is
     * found in --cache_dir, and saved adapters name the id as their base); a model folder as it is.
     */
    void policy(DpoTrainer.Builder builder, Supplier<HubClient> hub) {
        if (hubModel != null) {
            builder.modelNameOrPath(hubModel, revision, hub.get());
        } else if (model.isAdapter()) {
            builder.modelNameOrPath(model.folder().toString(), null, hub.get());
        } else {
            builder.modelPath(model.folder());
        }
    }
}
