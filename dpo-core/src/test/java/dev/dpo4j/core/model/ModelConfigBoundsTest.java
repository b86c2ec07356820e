package dev.dpo4j.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.dpo4j.hub.ModelFileException;
import dev.dpo4j.testing.TinyModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** config.json: absurd sizes and values of the wrong type refused before anything is allocated, naming file and key. */
class ModelConfigBoundsTest {

    @TempDir
    Path tmp;

    @Test
    @Timeout(5)
    void absurdSizesAreRefusedAtOnceNamingTheKey() throws IOException {
        assertRefused(j -> j.addProperty("num_hidden_layers", 1_000_000_000),
                "key 'num_hidden_layers' is 1000000000, outside the bounds a real model keeps (1 to 1024)");
        assertRefused(j -> j.addProperty("vocab_size", 1_000_000_000_000L),
                "key 'vocab_size' is 1000000000000, outside the bounds a real model keeps (1 to 16777216)");
        assertRefused(j -> j.addProperty("intermediate_size", 1_000_000_000_000L), "key 'intermediate_size' is");
        assertRefused(j -> j.addProperty("hidden_size", 1 << 20), "key 'hidden_size' is 1048576");
        assertRefused(j -> j.addProperty("num_attention_heads", 0), "key 'num_attention_heads' is 0");
        assertRefused(j -> j.addProperty("num_hidden_layers", 0), "key 'num_hidden_layers' is 0");
        assertRefused(j -> j.addProperty("vocab_size", -3), "key 'vocab_size' is -3");
        assertRefused(j -> j.addProperty("num_key_value_heads", 3),
                "key 'num_key_value_heads' (3) does not divide num_attention_heads (4)");
        assertRefused(j -> j.addProperty("num_key_value_heads", 8), "key 'num_key_value_heads' is 8");
        assertRefused(j -> {
            j.remove("head_dim");
            j.addProperty("num_attention_heads", 5);
            j.addProperty("num_key_value_heads", 5);
        }, "key 'num_attention_heads' (5) does not divide hidden_size (32) and there is no head_dim");
        assertRefused(j -> j.addProperty("num_hidden_layers", new java.math.BigInteger("1" + "0".repeat(30))),
                "key 'num_hidden_layers' is 1000000000000000000000000000000, outside the bounds");
        assertRefused(j -> j.addProperty("rms_norm_eps", 0), "key 'rms_norm_eps' is 0.0");
        assertRefused(j -> {
            j.addProperty("vocab_size", 1 << 24);
            j.addProperty("hidden_size", 1 << 17);
            j.addProperty("num_attention_heads", 1024);
            j.addProperty("num_key_value_heads", 1024);
            j.remove("head_dim");
            j.addProperty("intermediate_size", 1 << 19);
            j.addProperty("num_hidden_layers", 1024);
        }, "parameters, more than any model this library can train (1099511627776)");
    }

    @Test
    void valuesOfTheWrongTypeAreRefused() throws IOException {
        assertRefused(j -> j.addProperty("vocab_size", 259.5), "key 'vocab_size' should be an integer, got 259.5");
        assertRefused(j -> j.addProperty("hidden_size", "32"), "key 'hidden_size' should be an integer, got \"32\"");
        assertRefused(j -> j.add("rms_norm_eps", JsonParser.parseString("[1e-6]")),
                "key 'rms_norm_eps' should be a number, got [1e-6]");
        assertRefused(j -> j.addProperty("rope_theta", "10000"), "key 'rope_theta' should be a number");
        assertRefused(j -> j.add("model_type", new JsonObject()), "key 'model_type' should be a string, got {}");
        assertRefused(j -> j.add("num_hidden_layers", JsonParser.parseString("[2]")),
                "key 'num_hidden_layers' should be an integer");
        assertRefused(j -> j.addProperty("tie_word_embeddings", "true"), "key 'tie_word_embeddings' should be true");
        assertRefused(j -> {
            j.addProperty("sliding_window", 4);
            JsonArray types = new JsonArray();
            types.add(new JsonObject());
            j.add("layer_types", types);
        }, "key 'layer_types' should be an array of strings");
    }

    @Test
    void realShapesStillRead() throws IOException {
        // integral numbers written as 32.0 or 3.2e1 are integers; Llama 3.1 405B's sizes are within the bounds
        JsonObject json = TinyModels.json("llama", 300, true);
        json.addProperty("hidden_size", 32.0);
        json.add("intermediate_size", JsonParser.parseString("6.4e1"));
        assertThat(ModelConfig.read(write(json)).intermediateSize()).isEqualTo(64);
        JsonObject big = TinyModels.json("llama", 128256, false);
        big.addProperty("hidden_size", 16384);
        big.addProperty("intermediate_size", 53248);
        big.addProperty("num_hidden_layers", 126);
        big.addProperty("num_attention_heads", 128);
        big.addProperty("num_key_value_heads", 8);
        big.addProperty("head_dim", 128);
        big.addProperty("rms_norm_eps", 1e-5);
        assertThat(ModelConfig.read(write(big)).numLayers()).isEqualTo(126);
    }

    private void assertRefused(Consumer<JsonObject> edit, String message) throws IOException {
        JsonObject json = TinyModels.json("llama", 300, true);
        edit.accept(json);
        Path file = write(json);
        assertThatThrownBy(() -> ModelConfig.read(file)).isInstanceOf(ModelFileException.class)
                .hasMessageStartingWith(file + ": ").hasMessageContaining(message);
    }

    private Path write(JsonObject json) throws IOException {
        Path file = Files.createTempFile(tmp, "config", ".json");
        Files.writeString(file, json.toString());
        return file;
    }
}
