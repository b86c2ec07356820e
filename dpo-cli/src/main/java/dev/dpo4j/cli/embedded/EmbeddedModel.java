package dev.dpo4j.cli.embedded;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.ModelConfig;
import dev.dpo4j.core.tiny.ByteLevelTokenizer;
import dev.dpo4j.core.tiny.RandomModelFolder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The small model that ships with dpo4j: a tiny Qwen2-architecture decoder ({@code dpo4j/embedded/config.json} in this
 * module's resources: 2 layers, hidden size 64, grouped-query attention, tied embeddings) over the byte-level ChatML
 * tokenizer of {@link ByteLevelTokenizer}. Its weights are random, drawn from a fixed seed when a run starts, so
 * nothing is downloaded and every run starts from the same model.
 */
public final class EmbeddedModel {

    /** The classpath resource holding the architecture. */
    public static final String CONFIG_RESOURCE = "/dpo4j/embedded/config.json";
    /** The default initialization seed. */
    public static final long DEFAULT_SEED = 42;

    private EmbeddedModel() {
    }

    /** The architecture's {@code config.json} as shipped. */
    public static JsonObject configJson() {
        try (InputStream in = EmbeddedModel.class.getResourceAsStream(CONFIG_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + CONFIG_RESOURCE);
            }
            return JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + CONFIG_RESOURCE, e);
        }
    }

    /** The parsed architecture. */
    public static ModelConfig config() {
        return ModelConfig.fromJson(configJson(), CONFIG_RESOURCE);
    }

    /**
     * Writes a complete Hugging Face model folder (config.json, model.safetensors, tokenizer.json,
     * tokenizer_config.json) with weights random-initialized from {@code seed}.
     *
     * @return {@code folder}
     */
    public static Path write(Path folder, long seed) {
        JsonObject json = configJson();
        double stddev = json.has("initializer_range") ? json.get("initializer_range").getAsDouble() : 0.02;
        try {
            return RandomModelFolder.write(folder, ModelConfig.fromJson(json, CONFIG_RESOURCE), seed, stddev);
        } catch (UncheckedIOException e) {
            throw new UncheckedIOException("cannot write the embedded model into " + folder + ": "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    /** The number of weights of an architecture. */
    public static long parameterCount(ModelConfig config) {
        return CausalLm.expectedShapes(config).values().stream().mapToLong(shape -> shape.size()).sum();
    }

    /** A one-line description of an architecture: type, layers, width, parameters. */
    public static String describe(ModelConfig config) {
        return String.format(Locale.ROOT, "%s, %d layers, hidden %d, vocab %d, %,d parameters", config.modelType(),
                config.numLayers(), config.hiddenSize(), config.vocabSize(), parameterCount(config));
    }
}
