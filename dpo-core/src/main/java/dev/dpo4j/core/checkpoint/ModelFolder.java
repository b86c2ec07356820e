package dev.dpo4j.core.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import dev.dpo4j.core.kernels.Kernels;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.ModelConfig;
import dev.dpo4j.hub.ModelFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model folder as Hugging Face lays it out: {@code config.json}, {@code model.safetensors} or a sharded
 * {@code model.safetensors.index.json}, and tokenizer files. Loads it into a {@link CausalLm} and saves one back so
 * that transformers' {@code from_pretrained} loads it.
 */
public final class ModelFolder {

    private static final String CONFIG = ModelFiles.CONFIG;
    private static final String WEIGHTS = ModelFiles.WEIGHTS;
    private static final String INDEX = ModelFiles.WEIGHTS_INDEX;

    private ModelFolder() {
    }

    /** Loads the model in {@code folder}; weights become float32 arrays owned by a sub-manager of {@code parent}. */
    public static CausalLm load(Path folder, NDManager parent) {
        return load(folder, parent, DataType.FLOAT32, Kernels.djl());
    }

    /**
     * Loads the model in {@code folder} with its weights stored in {@code storageType} (a frozen LoRA base in the
     * compute type), converted shard by shard, so a float32 copy of at most one shard exists at a time.
     *
     * @param kernels the model's kernels, which also cast to bfloat16
     */
    public static CausalLm load(Path folder, NDManager parent, DataType storageType, Kernels kernels) {
        if (!Files.isDirectory(folder)) {
            throw new CheckpointException(folder + ": model folder does not exist");
        }
        ModelConfig config = ModelConfig.read(require(folder.resolve(CONFIG)));
        NDManager manager = parent.newSubManager();
        try {
            Map<String, NDArray> loaded = new LinkedHashMap<>();
            for (Path shard : shards(folder)) {
                Safetensors.read(shard, manager, DataType.FLOAT32).forEach((name, tensor) ->
                        loaded.put(name, stored(tensor, storageType, kernels, manager)));
            }
            return new CausalLm(config, select(folder, config, loaded), manager, kernels);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** {@code tensor} in {@code type}, the float32 original freed; integer tensors as they are. */
    private static NDArray stored(NDArray tensor, DataType type, Kernels kernels, NDManager manager) {
        if (type == DataType.FLOAT32 || tensor.getDataType() != DataType.FLOAT32) {
            return tensor;
        }
        try (tensor) {
            NDArray cast = type == DataType.BFLOAT16 ? kernels.cast(tensor, type) : tensor.toType(type, false);
            cast.attach(manager);
            return cast;
        }
    }

    private static Path require(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file + ": missing (a model folder needs " + CONFIG + " and "
                    + WEIGHTS + " or " + INDEX + ")");
        }
        return file;
    }

    /** The weight files: the shards named in the index, or the single file. */
    static List<Path> shards(Path folder) {
        Path index = folder.resolve(INDEX);
        if (!Files.isRegularFile(index)) {
            return List.of(require(folder.resolve(WEIGHTS)));
        }
        List<String> files;
        try {
            files = ModelFiles.shards(index);
        } catch (ModelFiles.InvalidIndexException e) {
            throw new CheckpointException(e.getMessage(), e);
        }
        return files.stream().map(folder::resolve).map(ModelFolder::require).toList();
    }

    /** Keeps the expected weights, checking names and shapes; extra tensors (rotary buffers) are dropped. */
    private static Map<String, NDArray> select(Path folder, ModelConfig config, Map<String, NDArray> loaded) {
        Map<String, NDArray> selected = new LinkedHashMap<>();
        for (Map.Entry<String, Shape> expected : CausalLm.expectedShapes(config).entrySet()) {
            NDArray weight = loaded.remove(expected.getKey());
            if (weight == null) {
                throw new CheckpointException(folder + ": weights lack '" + expected.getKey() + "' that "
                        + config.modelType() + " with this config.json needs");
            }
            if (!weight.getShape().equals(expected.getValue())) {
                throw new CheckpointException(folder + ": weight '" + expected.getKey() + "' has shape "
                        + weight.getShape() + " but config.json implies " + expected.getValue());
            }
            selected.put(expected.getKey(), weight);
        }
        loaded.values().forEach(NDArray::close);
        return selected;
    }

    /**
     * Saves {@code model} into {@code folder} (created if needed): config.json, model.safetensors in float32,
     * and the tokenizer files found in {@code tokenizerSource} (may be null). Files are written to a temporary
     * folder beside the target and moved into place, so an interrupted save never leaves a half-written model.
     */
    public static void save(CausalLm model, Path folder, Path tokenizerSource) throws IOException {
        save(model, folder, tokenizerSource, SaveDtype.FLOAT32);
    }

    /**
     * As {@link #save(CausalLm, Path, Path)}, with the weights stored in {@code dtype} ({@link SaveDtype#AUTO}: the
     * dtype the model's own config.json names) and config.json saying so.
     */
    public static void save(CausalLm model, Path folder, Path tokenizerSource, SaveDtype dtype) throws IOException {
        SaveDtype stored = dtype.resolve(model.config().json());
        AtomicFolder.write(folder, tmp -> writeFiles(model, tmp, tokenizerSource, stored));
    }

    /** Writes config.json, model.safetensors and the tokenizer files into an existing folder. */
    public static void writeFiles(CausalLm model, Path folder, Path tokenizerSource, SaveDtype dtype)
            throws IOException {
        JsonObject json = model.config().json().deepCopy();
        json.addProperty("torch_dtype", dtype.configName());
        json.addProperty("dtype", dtype.configName());
        ModelConfig.fromJson(json, CONFIG).write(folder.resolve(CONFIG));
        Safetensors.write(folder.resolve(WEIGHTS), model.parameters(), Map.of("format", "pt"), dtype);
        copyTokenizerFiles(tokenizerSource, folder);
    }

    /**
     * Copies the tokenizer, chat template and generation files ({@link ModelFiles#TOKENIZER_FILES}, among them
     * {@code chat_template.jinja}) that exist in {@code from} into {@code to}.
     */
    public static void copyTokenizerFiles(Path from, Path to) throws IOException {
        if (from == null) {
            return;
        }
        for (String name : ModelFiles.TOKENIZER_FILES) {
            Path source = from.resolve(name);
            if (Files.isRegularFile(source)) {
                Files.copy(source, to.resolve(name));
            }
        }
    }
}
