package dev.dpo4j.testing;

import com.google.gson.JsonObject;
import dev.dpo4j.api.data.PreferenceExample;
import dev.dpo4j.core.model.ModelConfig;
import dev.dpo4j.core.tiny.RandomModelFolder;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Tiny architectures, model folders and preference data for tests, written as Hugging Face would write them.
 *
 * <p>The tiny architecture has 2 layers, hidden size 32, 4 query heads over 2 key/value heads of width 8 and an MLP
 * of width 64: about 27,000 weights with the byte-level vocabulary and tied embeddings, small enough to train in
 * unit tests on a CPU.
 * {@link #writeModel(Path, String, long)} gives a complete folder ({@code config.json}, {@code model.safetensors},
 * {@code tokenizer.json}, {@code tokenizer_config.json}) that {@code DpoTrainer} and {@code ModelFolder} load;
 * nothing is downloaded.
 */
public final class TinyModels {

    private TinyModels() {
    }

    /**
     * A {@code config.json} body for a tiny model.
     *
     * @param modelType the family, as {@code config.json} names it: {@code llama}, {@code mistral}, {@code qwen2},
     *     {@code qwen3}
     * @param vocab the vocabulary size ({@link ByteLevelTokenizer#VOCAB_SIZE} to go with that tokenizer)
     * @param tied whether the LM head shares the embedding matrix ({@code tie_word_embeddings})
     */
    public static JsonObject json(String modelType, int vocab, boolean tied) {
        JsonObject json = new JsonObject();
        json.addProperty("model_type", modelType);
        json.addProperty("vocab_size", vocab);
        json.addProperty("hidden_size", 32);
        json.addProperty("intermediate_size", 64);
        json.addProperty("num_hidden_layers", 2);
        json.addProperty("num_attention_heads", 4);
        json.addProperty("num_key_value_heads", 2);
        json.addProperty("head_dim", 8);
        json.addProperty("rms_norm_eps", 1e-6);
        json.addProperty("rope_theta", 10000.0);
        json.addProperty("tie_word_embeddings", tied);
        json.addProperty("max_position_embeddings", 512);
        json.addProperty("bos_token_id", 1);
        json.addProperty("eos_token_id", 2);
        return json;
    }

    /** The parsed config of {@link #json}. */
    public static ModelConfig config(String modelType, int vocab, boolean tied) {
        return ModelConfig.fromJson(json(modelType, vocab, tied), "test config.json");
    }

    /**
     * Writes a tiny model folder of the given family (tied embeddings, the byte-level ChatML tokenizer, weights
     * random-initialized from {@code seed} with standard deviation 0.02) into {@code folder}.
     *
     * @return {@code folder}
     * @throws UncheckedIOException when the folder cannot be written
     */
    public static Path writeModel(Path folder, String modelType, long seed) {
        return writeModel(folder, config(modelType, ByteLevelTokenizer.VOCAB_SIZE, true), seed, 0.02);
    }

    /**
     * Writes a model folder of any architecture whose vocabulary fits the byte-level ChatML tokenizer, with weights
     * random-initialized as {@link RandomInit} does, into {@code folder}.
     *
     * @return {@code folder}
     * @throws UncheckedIOException when the folder cannot be written
     */
    public static Path writeModel(Path folder, ModelConfig config, long seed, double stddev) {
        return RandomModelFolder.write(folder, config, seed, stddev);
    }

    /** {@code count} arithmetic pairs ("What is 3+4?"): the right sum is chosen, one three too high rejected. */
    public static List<PreferenceExample> arithmetic(int count) {
        List<PreferenceExample> examples = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int a = i % 7 + 1;
            int b = i / 7 + 2;
            examples.add(PreferenceExample.of("What is " + a + "+" + b + "?", "It is " + (a + b) + ".",
                    "It is " + (a + b + 3) + "."));
        }
        return examples;
    }
}
