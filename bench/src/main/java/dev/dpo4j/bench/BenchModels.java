package dev.dpo4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.dpo4j.core.kernels.Kernels;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.ModelConfig;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The benchmark shapes ({@code --shape}) and randomly initialized models of them, built in memory. */
final class BenchModels {

    private BenchModels() {
    }

    /** The Hugging Face {@code config.json} of a benchmark shape. */
    static JsonObject configJson(String shape) {
        JsonObject c = new JsonObject();
        switch (shape.toLowerCase(Locale.ROOT)) {
            case "qwen2.5-0.5b" -> {
                c.addProperty("model_type", "qwen2");
                c.addProperty("hidden_size", 896);
                c.addProperty("num_hidden_layers", 24);
                c.addProperty("num_attention_heads", 14);
                c.addProperty("num_key_value_heads", 2);
                c.addProperty("head_dim", 64);
                c.addProperty("intermediate_size", 4864);
                c.addProperty("vocab_size", 151936);
                c.addProperty("tie_word_embeddings", true);
                c.addProperty("rms_norm_eps", 1e-6);
                c.addProperty("rope_theta", 1000000.0);
            }
            case "llama-1b" -> {
                c.addProperty("model_type", "llama");
                c.addProperty("hidden_size", 2048);
                c.addProperty("num_hidden_layers", 16);
                c.addProperty("num_attention_heads", 32);
                c.addProperty("num_key_value_heads", 8);
                c.addProperty("head_dim", 64);
                c.addProperty("intermediate_size", 8192);
                c.addProperty("vocab_size", 128256);
                c.addProperty("tie_word_embeddings", true);
                c.addProperty("rms_norm_eps", 1e-5);
                c.addProperty("rope_theta", 500000.0);
                JsonObject scaling = new JsonObject();
                scaling.addProperty("rope_type", "llama3");
                scaling.addProperty("factor", 32.0);
                scaling.addProperty("low_freq_factor", 1.0);
                scaling.addProperty("high_freq_factor", 4.0);
                scaling.addProperty("original_max_position_embeddings", 8192);
                c.add("rope_scaling", scaling);
            }
            case "tiny" -> {
                c.addProperty("model_type", "llama");
                c.addProperty("hidden_size", 64);
                c.addProperty("num_hidden_layers", 2);
                c.addProperty("num_attention_heads", 4);
                c.addProperty("num_key_value_heads", 2);
                c.addProperty("head_dim", 16);
                c.addProperty("intermediate_size", 256);
                c.addProperty("vocab_size", 259);
                c.addProperty("tie_word_embeddings", true);
                c.addProperty("rms_norm_eps", 1e-6);
                c.addProperty("rope_theta", 10000.0);
            }
            case "mistral-7b" -> { // Mistral-7B-v0.2 (and Zephyr-7B): rope_theta 1e6, no sliding window
                c.addProperty("model_type", "mistral");
                c.addProperty("hidden_size", 4096);
                c.addProperty("num_hidden_layers", 32);
                c.addProperty("num_attention_heads", 32);
                c.addProperty("num_key_value_heads", 8);
                c.addProperty("head_dim", 128);
                c.addProperty("intermediate_size", 14336);
                c.addProperty("vocab_size", 32000);
                c.addProperty("tie_word_embeddings", false);
                c.addProperty("rms_norm_eps", 1e-5);
                c.addProperty("rope_theta", 1000000.0);
                c.addProperty("max_position_embeddings", 32768);
                c.add("sliding_window", JsonNull.INSTANCE);
            }
            default -> throw new IllegalArgumentException("unknown --shape " + shape
                    + " (qwen2.5-0.5b, llama-1b, mistral-7b, tiny)");
        }
        return c;
    }

    /** {@link #configJson} with {@code num_hidden_layers} replaced when {@code layers > 0}. */
    static JsonObject configJson(String shape, int layers) {
        JsonObject c = configJson(shape);
        if (layers > 0) {
            c.addProperty("num_hidden_layers", layers);
        }
        return c;
    }

    /** A random model as transformers initializes one: N(0, 0.02) matrices, ones for norms, zeros for biases. */
    static CausalLm randomModel(ModelConfig config, NDManager base) {
        return randomModel(config, base, DataType.FLOAT32);
    }

    /**
     * {@link #randomModel(ModelConfig, NDManager)} stored in {@code storage}: each weight is drawn in float32 on the
     * device and cast at once (bfloat16 through the TorchScript kernels), its float32 original freed, so at most one
     * float32 weight exists at a time.
     */
    static CausalLm randomModel(ModelConfig config, NDManager base, DataType storage) {
        NDManager owner = base.newSubManager();
        Map<String, NDArray> weights = new LinkedHashMap<>();
        CausalLm.expectedShapes(config).forEach((name, shape) -> {
            NDArray w;
            if (name.endsWith(".bias")) {
                w = owner.zeros(shape, DataType.FLOAT32);
            } else if (name.contains("norm")) {
                w = owner.ones(shape, DataType.FLOAT32);
            } else {
                w = owner.randomNormal(0f, 0.02f, shape, DataType.FLOAT32);
            }
            weights.put(name, cast(w, storage));
        });
        return new CausalLm(config, weights, owner);
    }

    /** {@code w} in {@code type}; {@code w} itself is closed when a copy was made. */
    private static NDArray cast(NDArray w, DataType type) {
        if (type == DataType.FLOAT32) {
            return w;
        }
        NDArray copy = type == DataType.BFLOAT16 ? Kernels.torchScript().cast(w, type) : w.toType(type, true);
        w.close();
        return copy;
    }
}
