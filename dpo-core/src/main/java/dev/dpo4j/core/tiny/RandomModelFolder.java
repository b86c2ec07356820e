package dev.dpo4j.core.tiny;

import ai.djl.ndarray.NDManager;
import dev.dpo4j.core.checkpoint.ModelFolder;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.ModelConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Writes a complete Hugging Face model folder of random weights over the byte-level ChatML tokenizer. */
public final class RandomModelFolder {

    private RandomModelFolder() {
    }

    /**
     * Writes {@code config.json}, {@code model.safetensors}, {@code tokenizer.json} and {@code tokenizer_config.json}
     * of a model of any architecture whose vocabulary fits {@link ByteLevelTokenizer}, with weights
     * random-initialized as {@link RandomInit} does, into {@code folder}.
     *
     * @return {@code folder}
     * @throws UncheckedIOException when the folder cannot be written
     */
    public static Path write(Path folder, ModelConfig config, long seed, double stddev) {
        try (NDManager manager = NDManager.newBaseManager();
                CausalLm model = RandomInit.create(config, manager, seed, stddev)) {
            ByteLevelTokenizer.write(folder);
            ModelFolder.save(model, folder, null);
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
