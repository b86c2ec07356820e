package dev.dpo4j.core.model;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import dev.dpo4j.hub.ModelFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The architecture of a Llama-family decoder, read from a Hugging Face {@code config.json}. The original JSON is
 * kept so that a saved model carries every key transformers wrote, including those this library ignores.
 *
 * @param modelType {@code llama}, {@code mistral}, {@code qwen2} or {@code qwen3}
 * @param vocabSize rows of the embedding matrix
 * @param hiddenSize model width
 * @param intermediateSize SwiGLU MLP width
 * @param numLayers decoder layers
 * @param numHeads query heads
 * @param numKvHeads key/value heads (grouped-query attention when fewer than query heads)
 * @param headDim width of one head
 * @param rmsNormEps RMSNorm epsilon
 * @param ropeTheta rotary base
 * @param ropeScaling Llama 3 rotary scaling, or null
 * @param tieWordEmbeddings whether the LM head reuses the embedding matrix
 * @param attentionBias whether q/k/v projections have biases (always for Qwen2)
 * @param qkNorm whether queries and keys are RMS-normalized per head (Qwen3)
 * @param slidingWindow sliding-window attention (Mistral v0.1; Qwen2/3 with {@code use_sliding_window}), or null
 * @param json the config as read, written back on save
 */
public record ModelConfig(String modelType, int vocabSize, int hiddenSize, int intermediateSize, int numLayers,
        int numHeads, int numKvHeads, int headDim, double rmsNormEps, double ropeTheta, RopeScaling ropeScaling,
        boolean tieWordEmbeddings, boolean attentionBias, boolean qkNorm, SlidingWindow slidingWindow,
        JsonObject json) {

    /** The {@code model_type} values this library implements. */
    public static final Set<String> SUPPORTED = Set.of("llama", "mistral", "qwen2", "qwen3");

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    /** Validates sizes. */
    public ModelConfig {
        if (numHeads <= 0 || numKvHeads <= 0 || numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads (" + numHeads
                    + ") must be a positive multiple of num_key_value_heads (" + numKvHeads + ")");
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head_dim must be even for rotary embeddings, got " + headDim);
        }
    }

    /** Reads {@code config.json}; errors name the file and the key. */
    public static ModelConfig read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ModelFileException(file + ": cannot read model config: " + e.getMessage(), e);
        }
        JsonObject json;
        try {
            json = GSON.fromJson(text, JsonObject.class);
        } catch (JsonParseException e) {
            throw new ModelFileException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        if (json == null) {
            throw new ModelFileException(file + ": empty model config");
        }
        return fromJson(json, file.toString());
    }

    /** Builds the config from parsed {@code config.json} content; {@code source} names it in errors. */
    public static ModelConfig fromJson(JsonObject json, String source) {
        ConfigReader in = new ConfigReader(json, source);
        String type = in.string("model_type").toLowerCase(Locale.ROOT);
        if (!SUPPORTED.contains(type)) {
            throw new ModelFileException(source + ": model_type '" + type + "' is not supported; supported: "
                    + String.join(", ", SUPPORTED.stream().sorted().toList())
                    + " (Llama 2/3, Mistral, Qwen2/2.5, Qwen3, TinyLlama, SmolLM)");
        }
        int hidden = in.integer("hidden_size");
        int heads = in.integer("num_attention_heads");
        int headDim = in.integer("head_dim", hidden / heads);
        // transformers 5 writes rope_theta and the scaling only inside "rope_parameters"; 4.x wrote them at the top
        JsonElement parameters = json.get("rope_parameters");
        ConfigReader rope = parameters != null && parameters.isJsonObject() ? in.child("rope_parameters") : null;
        double ropeTheta = rope != null && rope.json().has("rope_theta") ? rope.real("rope_theta", 10000.0)
                : in.real("rope_theta", 10000.0);
        int layers = in.integer("num_hidden_layers");
        try {
            return new ModelConfig(type, in.integer("vocab_size"), hidden, in.integer("intermediate_size"),
                    layers, heads, in.integer("num_key_value_heads", heads), headDim,
                    in.real("rms_norm_eps", 1e-6), ropeTheta,
                    rope != null ? RopeScaling.parse(rope) : RopeScaling.from(in),
                    in.bool("tie_word_embeddings", false),
                    "qwen2".equals(type) || in.bool("attention_bias", false), "qwen3".equals(type),
                    SlidingWindow.read(in, layers), json);
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(source + ": " + e.getMessage(), e);
        }
    }

    /** Writes the config JSON, pretty-printed as transformers writes it. */
    public void write(Path file) throws IOException {
        Files.writeString(file, GSON.toJson(json) + "\n");
    }

    /** Number of query heads that share one key/value head. */
    public int groupSize() {
        return numHeads / numKvHeads;
    }

    /**
     * Sliding-window attention as transformers applies it: in the listed layers a token attends to itself and the
     * {@code size - 1} tokens before it.
     *
     * @param size tokens a query may see, itself included ({@code sliding_window})
     * @param layers the decoder layers that use the window
     */
    public record SlidingWindow(int size, Set<Integer> layers) {

        /** Validates the size and copies the layers. */
        public SlidingWindow {
            if (size < 1) {
                throw new IllegalArgumentException("sliding_window must be at least 1, got " + size);
            }
            layers = Set.copyOf(layers);
        }

        /** Whether decoder layer {@code layer} uses the window. */
        public boolean appliesTo(int layer) {
            return layers.contains(layer);
        }

        /**
         * Reads {@code sliding_window} and which layers use it: {@code layer_types} (transformers 5) when present,
         * else {@code use_sliding_window} with {@code max_window_layers} (Qwen2/3: the layers from that index on),
         * else every layer (Mistral). Null when no layer uses a window.
         */
        static SlidingWindow read(ConfigReader in, int numLayers) {
            int size = in.integer("sliding_window", 0);
            if (size <= 0) {
                return null;
            }
            Set<Integer> layers = new TreeSet<>();
            JsonElement types = in.json().get("layer_types");
            if (types != null && types.isJsonArray()) {
                for (int i = 0; i < types.getAsJsonArray().size(); i++) {
                    if ("sliding_attention".equals(types.getAsJsonArray().get(i).getAsString())) {
                        layers.add(i);
                    }
                }
            } else if (in.json().has("use_sliding_window")) {
                if (in.bool("use_sliding_window", false)) {
                    for (int i = in.integer("max_window_layers", 0); i < numLayers; i++) {
                        layers.add(i);
                    }
                }
            } else {
                for (int i = 0; i < numLayers; i++) {
                    layers.add(i);
                }
            }
            return layers.isEmpty() ? null : new SlidingWindow(size, layers);
        }
    }

    /** Llama 3 rotary scaling ({@code rope_scaling} with {@code rope_type: llama3}). */
    public record RopeScaling(double factor, double lowFreqFactor, double highFreqFactor,
            int originalMaxPositionEmbeddings) {

        static RopeScaling from(ConfigReader in) {
            JsonElement element = in.json().get("rope_scaling");
            if (element == null || element.isJsonNull()) {
                return null;
            }
            return parse(in.child("rope_scaling"));
        }

        /** Reads a {@code rope_scaling} or {@code rope_parameters} object; null for plain rotary embeddings. */
        static RopeScaling parse(ConfigReader scaling) {
            String type = scaling.string("rope_type", scaling.string("type", "default"));
            switch (type) {
                case "default":
                    return null;
                case "llama3":
                    return new RopeScaling(scaling.real("factor", 8.0), scaling.real("low_freq_factor", 1.0),
                            scaling.real("high_freq_factor", 4.0),
                            scaling.integer("original_max_position_embeddings", 8192));
                default:
                    throw new ModelFileException(scaling.source() + ": rope type '" + type
                            + "' is not supported (supported: llama3)");
            }
        }
    }
}
