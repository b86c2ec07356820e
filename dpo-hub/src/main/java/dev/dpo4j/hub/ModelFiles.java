package dev.dpo4j.hub;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The file names of a Hugging Face model folder, as transformers writes and reads them, and the shard list of a
 * sharded checkpoint's {@code model.safetensors.index.json} ({@code weight_map}). The Hub client downloads these
 * files, dpo-core's {@code ModelFolder} loads and saves them, the chat template reads them.
 */
public final class ModelFiles {

    /** The model configuration. */
    public static final String CONFIG = "config.json";
    /** Unsharded safetensors weights. */
    public static final String WEIGHTS = "model.safetensors";
    /** The index of sharded safetensors weights: {@code weight_map} names each tensor's shard. */
    public static final String WEIGHTS_INDEX = "model.safetensors.index.json";
    /** The fast tokenizer (vocabulary, merges, pre- and post-processing). */
    public static final String TOKENIZER = "tokenizer.json";
    /** Tokenizer settings: special tokens and, in older models, the {@code chat_template}. */
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    /** The special tokens. */
    public static final String SPECIAL_TOKENS_MAP = "special_tokens_map.json";
    /** Generation defaults. */
    public static final String GENERATION_CONFIG = "generation_config.json";
    /** The chat template as a file of its own (transformers 4.43 and later); it wins over tokenizer_config.json's. */
    public static final String CHAT_TEMPLATE = "chat_template.jinja";
    /** A BPE vocabulary of slow tokenizers. */
    public static final String VOCAB = "vocab.json";
    /** The BPE merges of slow tokenizers. */
    public static final String MERGES = "merges.txt";
    /** A SentencePiece model of slow tokenizers. */
    public static final String SENTENCEPIECE_MODEL = "tokenizer.model";
    /** A PEFT adapter's configuration (LoRA rank, alpha, target modules, base model). */
    public static final String ADAPTER_CONFIG = "adapter_config.json";
    /** A PEFT adapter's weights. */
    public static final String ADAPTER_WEIGHTS = "adapter_model.safetensors";
    /** A PEFT adapter's weights as a pickle, which dpo4j does not read. */
    public static final String ADAPTER_WEIGHTS_BIN = "adapter_model.bin";
    /** The index key that maps tensor names to shard files. */
    public static final String WEIGHT_MAP = "weight_map";

    /** Files a Hub snapshot of a model or an adapter fetches when the repository has them, beside config and weights. */
    public static final List<String> HUB_OPTIONAL = List.of(TOKENIZER, TOKENIZER_CONFIG, SPECIAL_TOKENS_MAP,
            GENERATION_CONFIG, CHAT_TEMPLATE);
    /** Tokenizer, template and generation files copied next to a saved model when the source folder has them. */
    public static final List<String> TOKENIZER_FILES = List.of(TOKENIZER, TOKENIZER_CONFIG, SPECIAL_TOKENS_MAP,
            GENERATION_CONFIG, CHAT_TEMPLATE, VOCAB, MERGES, SENTENCEPIECE_MODEL);

    private ModelFiles() {
    }

    /** A {@code weight_map} that cannot be read; the message names the index file and what is wrong. */
    public static final class InvalidIndexException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InvalidIndexException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The folder's {@link #CHAT_TEMPLATE} file, when it has one. */
    public static Optional<Path> chatTemplateFile(Path folder) {
        Path file = folder.resolve(CHAT_TEMPLATE);
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    /**
     * The shard files an index names in its {@code weight_map}, each once, sorted; each is a relative path without
     * '..' (as repository paths are).
     *
     * @throws InvalidIndexException naming the file when it is unreadable, not JSON, has no {@code weight_map}
     *     object, or a value that is not a safe relative file name
     */
    public static List<String> shards(Path index) {
        JsonElement root;
        try (Reader reader = Files.newBufferedReader(index, StandardCharsets.UTF_8)) {
            root = JsonParser.parseReader(reader);
        } catch (IOException | JsonParseException e) {
            throw new InvalidIndexException(index + ": cannot read key '" + WEIGHT_MAP + "' (" + e.getMessage()
                    + ")", e);
        }
        JsonElement map = root.isJsonObject() ? root.getAsJsonObject().get(WEIGHT_MAP) : null;
        if (map == null || !map.isJsonObject()) {
            throw new InvalidIndexException(index + ": missing key '" + WEIGHT_MAP + "' (an object of tensor name "
                    + "to shard file)", null);
        }
        TreeSet<String> shards = new TreeSet<>();
        for (Map.Entry<String, JsonElement> e : ((JsonObject) map).entrySet()) {
            JsonElement value = e.getValue();
            if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
                throw new InvalidIndexException(index + ": '" + WEIGHT_MAP + "." + e.getKey() + "' is not a file "
                        + "name", null);
            }
            String shard = value.getAsString();
            try {
                HubCache.resolveRepoPath(index.toAbsolutePath().getParent(), shard);
            } catch (IllegalArgumentException bad) {
                throw new InvalidIndexException(index + ": '" + WEIGHT_MAP + "." + e.getKey() + "' names '" + shard
                        + "', which is not a relative path inside the folder", bad);
            }
            shards.add(shard);
        }
        return List.copyOf(shards);
    }
}
