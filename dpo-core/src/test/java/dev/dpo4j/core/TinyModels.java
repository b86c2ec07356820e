package dev.dpo4j.core;

import com.google.gson.JsonObject;
import dev.dpo4j.core.model.ModelConfig;

/** Tiny architectures for tests, written as Hugging Face would write their config.json. */
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
}
