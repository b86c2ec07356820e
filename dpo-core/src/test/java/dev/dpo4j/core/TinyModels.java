package dev.dpo4j.core;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.dpo4j.api.data.PreferenceExample;
import dev.dpo4j.core.checkpoint.ModelFolder;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.ModelConfig;
import dev.dpo4j.core.model.RandomInit;
import dev.dpo4j.core.tokenizer.ByteLevelTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Tiny architectures, model folders and preference data for tests, written as Hugging Face would write them. */
public final class TinyModels {

    private TinyModels() {
    }

    /** A config.json body for a tiny model of the given family. */
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

    /** Writes a random tiny model folder with the byte-level ChatML tokenizer into {@code folder}. */
    public static Path writeModel(Path folder, String modelType, long seed) {
        try (NDManager manager = NDManager.newBaseManager();
                CausalLm model = RandomInit.create(config(modelType, ByteLevelTokenizer.VOCAB_SIZE, true), manager,
                        seed, 0.02)) {
            ByteLevelTokenizer.write(folder);
            ModelFolder.save(model, folder, null);
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Arithmetic pairs: the right sum is chosen, a wrong one rejected. */
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
