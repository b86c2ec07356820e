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
        int hidden = in.integer("hidden_size", 1, MAX_HIDDEN);
        int heads = in.integer("num_attention_heads", 1, MAX_HEADS);
        if (!in.present("head_dim") && hidden % heads != 0) {
            throw new ModelFileException(source + ": key 'num_attention_heads' (" + heads + ") does not divide "
                    + "hidden_size (" + hidden + ") and there is no head_dim");
        }
        int headDim = in.integer("head_dim", hidden / heads, 2, MAX_HEAD_DIM);
        int kvHeads = in.integer("num_key_value_heads", heads, 1, heads);
        if (heads % kvHeads != 0) {
            throw new ModelFileException(source + ": key 'num_key_value_heads' (" + kvHeads + ") does not divide "
                    + "num_attention_heads (" + heads + ")");
        }
        int vocab = in.integer("vocab_size", 1, MAX_VOCAB);
        int intermediate = in.integer("intermediate_size", 1, MAX_INTERMEDIATE);
        int layers = in.integer("num_hidden_layers", 1, MAX_LAYERS);
        double rmsNormEps = in.real("rms_norm_eps", 1e-6);
        if (!(rmsNormEps > 0 && rmsNormEps < 1)) {
            throw new ModelFileException(source + ": key 'rms_norm_eps' is " + rmsNormEps + "; it should lie "
                    + "between 0 and 1 (exclusive)");
        }
        // transformers 5 writes rope_theta and the scaling only inside "rope_parameters"; 4.x wrote them at the top
        JsonElement parameters = json.get("rope_parameters");
        ConfigReader rope = parameters != null && parameters.isJsonObject() ? in.child("rope_parameters") : null;
        double ropeTheta = rope != null && rope.json().has("rope_theta") ? rope.real("rope_theta", 10000.0)
                : in.real("rope_theta", 10000.0);
        if (!(ropeTheta > 0)) {
            throw new ModelFileException(source + ": key 'rope_theta' is " + ropeTheta + "; it should be positive");
        }
        long parametersCount = parameters(vocab, hidden, intermediate, layers, heads, kvHeads, headDim);
        if (parametersCount > MAX_PARAMETERS) {
            throw new ModelFileException(source + ": vocab_size " + vocab + ", hidden_size " + hidden
                    + ", intermediate_size " + intermediate + " and num_hidden_layers " + layers + " make "
                    + parametersCount + " parameters, more than any model this library can train (" + MAX_PARAMETERS
                    + ")");
        }
        try {
            return new ModelConfig(type, vocab, hidden, intermediate, layers, heads, kvHeads, headDim,
                    rmsNormEps, ropeTheta,
                    rope != null ? RopeScaling.parse(rope) : RopeScaling.from(in),
                    in.bool("tie_word_embeddings", false),
                    "qwen2".equals(type) || in.bool("attention_bias", false), "qwen3".equals(type),
                    SlidingWindow.read(in, layers), json);
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(source + ": " + e.getMessage(), e);
        }
    }

    /** Decoder layers a config may have: real models have at most a few hundred. */
    public static final int MAX_LAYERS = 1024;
    /** Vocabulary rows a config may have, 2^24: real models have at most about 2^18. */
    public static final int MAX_VOCAB = 1 << 24;
    /** Model width a config may have, 2^17: real models have at most about 2^14 to 2^15. */
    public static final int MAX_HIDDEN = 1 << 17;
    /** MLP width a config may have, 2^19: real models have at most about 2^16 to 2^17. */
    public static final int MAX_INTERMEDIATE = 1 << 19;
    /** Query heads a config may have. */
    public static final int MAX_HEADS = 1024;
    /** Width of one head a config may have (real: 64 to 256). */
    public static final int MAX_HEAD_DIM = 1 << 14;
    /** Parameters a config may describe, 2^40 (about 1.1 trillion; Llama 3.1 405B has 4.1e11). */
    public static final long MAX_PARAMETERS = 1L << 40;

    /** The dense decoder's parameter count (embeddings counted twice: the untied head's upper bound). */
    private static long parameters(long vocab, long hidden, long intermediate, long layers, long heads, long kvHeads,
            long headDim) {
        long attention = hidden * headDim * (2 * heads + 2 * kvHeads);
        long mlp = 3 * hidden * intermediate;
        return 2 * vocab * hidden + layers * (attention + mlp + 2 * hidden);
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
                    JsonElement layerType = types.getAsJsonArray().get(i);
                    if (!layerType.isJsonPrimitive() || !layerType.getAsJsonPrimitive().isString()) {
                        throw in.wrongType("layer_types", "an array of strings", types);
                    }
                    if ("sliding_attention".equals(layerType.getAsString())) {
                        layers.add(i);
                    }
                }
            } else if (in.json().has("use_sliding_window")) {
                if (in.bool("use_sliding_window", false)) {
                    for (int i = Math.max(0, in.integer("max_window_layers", 0)); i < numLayers; i++) {
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
