package dev.dpo4j.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.dpo4j.hub.ModelFileException;
import dev.dpo4j.testing.TinyModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzed {@code config.json} files: reading ends in a config within the stated bounds or in one
 * {@link ModelFileException} naming the file, never another exception. Bounded: 2,000 tries a property, a few seconds.
 */
class ModelConfigFuzzTest {

    private static final List<String> KEYS = List.of("model_type", "vocab_size", "hidden_size", "intermediate_size",
            "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "head_dim", "rms_norm_eps",
            "rope_theta", "tie_word_embeddings", "attention_bias", "sliding_window", "use_sliding_window",
            "max_window_layers", "layer_types", "rope_scaling", "rope_parameters");
    private static final List<String> VALUES = List.of("0", "1", "2", "-1", "3", "4", "7", "8", "32", "259.5",
            "1e12", "1e9", "1000000000", "2147483648", "-2147483649", "9223372036854775808", "1e-6", "0.0", "-0.0",
            "1e400", "\"32\"", "\"llama\"", "\"qwen3\"", "\"gpt2\"", "\"\"", "true", "false", "null", "[]", "[1e-6]",
            "[\"sliding_attention\",\"full_attention\"]", "[{}]", "{}", "{\"rope_type\":\"llama3\"}",
            "{\"rope_type\":\"llama3\",\"factor\":\"8\"}", "{\"rope_type\":\"yarn\"}", "{\"type\":[1]}",
            "{\"rope_theta\":-1}", "{\"rope_theta\":{}}");

    private static Path folder;

    @BeforeContainer
    static void open() throws IOException {
        folder = Files.createTempDirectory("config-fuzz");
    }

    @AfterContainer
    static void close() throws IOException {
        try (var files = Files.list(folder)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(folder);
    }

    /** A valid config with up to six keys set to odd values (wrong types, absurd sizes, zero, null). */
    @Property(tries = 2000)
    void editedConfigs(@ForAll("edits") List<Tuple.Tuple2<String, String>> edits) throws IOException {
        JsonObject json = TinyModels.json("llama", 300, true);
        edits.forEach(edit -> json.add(edit.get1(), JsonParser.parseString(edit.get2())));
        check(json.toString());
    }

    /** JSON-ish token soup. */
    @Property(tries = 2000)
    void tokenSoup(@ForAll("soup") String text) throws IOException {
        check(text);
    }

    private static void check(String text) throws IOException {
        Path file = Files.createTempFile(folder, "config", ".json");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        try {
            ModelConfig config = ModelConfig.read(file);
            assertThat(config.numLayers()).isBetween(1, ModelConfig.MAX_LAYERS);
            assertThat(config.vocabSize()).isBetween(1, ModelConfig.MAX_VOCAB);
            assertThat(config.hiddenSize()).isBetween(1, ModelConfig.MAX_HIDDEN);
            assertThat(config.intermediateSize()).isBetween(1, ModelConfig.MAX_INTERMEDIATE);
            assertThat(config.numHeads() % config.numKvHeads()).isZero();
            assertThat(config.rmsNormEps()).isStrictlyBetween(0.0, 1.0);
        } catch (ModelFileException e) {
            assertThat(e.getMessage()).matches("(?s)" + java.util.regex.Pattern.quote(file.toString()) + "( \\([a-z_]+\\))?: .*");
        } finally {
            Files.delete(file);
        }
    }

    @Provide
    Arbitrary<List<Tuple.Tuple2<String, String>>> edits() {
        return Combinators.combine(Arbitraries.of(KEYS), Arbitraries.of(VALUES)).as(Tuple::of).list().ofMaxSize(6);
    }

    @Provide
    Arbitrary<String> soup() {
        List<String> tokens = new java.util.ArrayList<>(List.of("{", "}", "[", "]", ",", ":", " "));
        KEYS.forEach(k -> tokens.add("\"" + k + "\""));
        tokens.addAll(VALUES);
        return Arbitraries.of(tokens).list().ofMaxSize(40).map(list -> String.join("", list));
    }
}
