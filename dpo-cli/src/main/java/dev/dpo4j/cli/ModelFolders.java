package dev.dpo4j.cli;

import dev.dpo4j.cli.embedded.EmbeddedModel;
import dev.dpo4j.core.checkpoint.CheckpointException;
import dev.dpo4j.core.lora.AdapterFolder;
import dev.dpo4j.core.model.ModelConfig;
import dev.dpo4j.hub.ModelFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * The {@code --model_name_or_path} folder as the command checks and describes it: a model folder (config.json,
 * tokenizer.json), or a PEFT adapter folder (adapter_config.json, adapter_model.safetensors) on the base model its
 * {@code base_model_name_or_path} names, a local folder or a Hub id. What is an adapter, where its base is and where
 * its tokenizer files are is {@link AdapterFolder}'s rule, the one the trainer follows.
 *
 * @param folder the folder given, or the Hub snapshot of the id given
 * @param base the adapter's base model folder; null for a model folder
 * @param baseName the base as the adapter's config names it; null for a model folder
 */
record ModelFolders(Path folder, Path base, String baseName) {

    /** A model folder, not an adapter. */
    static ModelFolders model(Path folder) {
        return new ModelFolders(folder, null, null);
    }

    /**
     * Checks what can be checked without the Hub: the folder's files and, for an adapter, that its base names a
     * local model folder or a Hub id.
     *
     * @throws UsageError naming the folder or file and what is missing
     */
    static void check(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new UsageError("model folder " + folder + " does not exist (pass a local folder with config.json, "
                    + "model.safetensors and tokenizer.json, a PEFT adapter folder, or a Hub model id such as "
                    + "Qwen/Qwen2.5-0.5B-Instruct)");
        }
        if (!AdapterFolder.isAdapterOnly(folder)) {
            require(folder, ModelFiles.CONFIG, "model folder " + folder);
            require(folder, ModelFiles.TOKENIZER, "model folder " + folder);
            return;
        }
        checkAdapterWeights(folder);
        String name = baseName(folder);
        Path local = AdapterFolder.baseFolder(folder, hubId -> null); // null: not a local folder
        if (local != null) {
            require(local, ModelFiles.CONFIG, baseLabel(folder, local));
        } else if (!ModelStep.isHubModelId(name)) {
            throw new UsageError(folder.resolve(AdapterFolder.CONFIG) + ": base_model_name_or_path '" + name
                    + "' is neither a local model folder nor a Hub model id (org/name)");
        }
    }

    /**
     * Checks {@code folder} and, for an adapter, finds its base: a local folder, or a Hub id through
     * {@code hubSnapshot}.
     *
     * @throws UsageError naming the folder or file and what is missing
     */
    static ModelFolders resolve(Path folder, Function<String, Path> hubSnapshot) {
        check(folder);
        if (!AdapterFolder.isAdapterOnly(folder)) {
            return model(folder);
        }
        Path base = AdapterFolder.baseFolder(folder, hubSnapshot);
        require(base, ModelFiles.CONFIG, baseLabel(folder, base));
        ModelFolders resolved = new ModelFolders(folder, base, baseName(folder));
        require(resolved.tokenizerFiles(), ModelFiles.TOKENIZER, "adapter folder " + folder + " and its base " + base);
        return resolved;
    }

    /** Whether it is a PEFT adapter on a base. */
    boolean isAdapter() {
        return base != null;
    }

    /** The folder with config.json: the model folder, or the adapter's base. */
    Path modelFolder() {
        return isAdapter() ? base : folder;
    }

    /** The folder whose tokenizer and chat template files the run uses: the trainer's choice. */
    Path tokenizerFiles() {
        return isAdapter() ? AdapterFolder.tokenizerFolder(folder, base) : folder;
    }

    /** {@code shownAs} and the architecture; for an adapter "LoRA adapter ... on <base> (...)". */
    String describe(String shownAs) {
        String architecture = EmbeddedModel.describe(ModelConfig.read(modelFolder().resolve(ModelFiles.CONFIG)));
        return (isAdapter() ? "LoRA adapter " + shownAs + " on " + baseName : shownAs) + " (" + architecture + ")";
    }

    private static void checkAdapterWeights(Path folder) {
        if (!Files.isRegularFile(folder.resolve(AdapterFolder.WEIGHTS))) {
            boolean pickle = Files.isRegularFile(folder.resolve(ModelFiles.ADAPTER_WEIGHTS_BIN));
            throw new UsageError("adapter folder " + folder + " has no " + AdapterFolder.WEIGHTS + (pickle ? " (only "
                    + ModelFiles.ADAPTER_WEIGHTS_BIN + ": dpo4j reads safetensors only; convert it with PEFT's "
                    + "save_pretrained(..., safe_serialization=True))" : ""));
        }
    }

    private static String baseName(Path folder) {
        try {
            return AdapterFolder.baseModel(folder);
        } catch (CheckpointException e) {
            throw new UsageError(e.getMessage());
        }
    }

    private static String baseLabel(Path adapter, Path base) {
        return "base model folder " + base + " (base_model_name_or_path of " + adapter.resolve(AdapterFolder.CONFIG)
                + ")";
    }

    private static void require(Path folder, String file, String what) {
        if (!Files.isRegularFile(folder.resolve(file))) {
            throw new UsageError(what + " has no " + file);
        }
    }
}
