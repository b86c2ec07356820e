package dev.dpo4j.core.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import dev.dpo4j.hub.ModelFileException;
import dev.dpo4j.hub.ModelFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A Hugging Face {@code tokenizer.json} loaded through DJL's Rust tokenizers binding, with BOS/EOS/PAD read from
 * {@code tokenizer_config.json} (falling back to {@code config.json}'s ids) as transformers resolves them.
 */
public final class HfTokenizer implements TextTokenizer {

    private final HuggingFaceTokenizer tokenizer;
    private final OptionalInt bos;
    private final int eos;
    private final int pad;

    private HfTokenizer(HuggingFaceTokenizer tokenizer, OptionalInt bos, int eos, int pad) {
        this.tokenizer = tokenizer;
        this.bos = bos;
        this.eos = eos;
        this.pad = pad;
    }

    /** Loads the tokenizer of a model folder; errors name the file and the key. */
    public static HfTokenizer load(Path folder) {
        Path file = folder.resolve(ModelFiles.TOKENIZER);
        if (!Files.isRegularFile(file)) {
            throw new ModelFileException(file + ": missing (the model folder needs a tokenizer.json)");
        }
        HuggingFaceTokenizer tokenizer;
        try {
            tokenizer = HuggingFaceTokenizer.newInstance(file, Map.of("addSpecialTokens", "false",
                    "truncation", "false", "padding", "false", "maxLength", String.valueOf(Integer.MAX_VALUE / 2)));
        } catch (IOException | RuntimeException e) {
            throw new ModelFileException(file + ": cannot load tokenizer: " + e.getMessage(), e);
        }
        JsonObject tokenizerConfig = readJson(folder.resolve(ModelFiles.TOKENIZER_CONFIG));
        JsonObject modelConfig = readJson(folder.resolve(ModelFiles.CONFIG));
        OptionalInt bos = tokenId(tokenizer, tokenizerConfig, "bos_token", modelConfig, "bos_token_id", file);
        OptionalInt eos = tokenId(tokenizer, tokenizerConfig, "eos_token", modelConfig, "eos_token_id", file);
        if (eos.isEmpty()) {
            tokenizer.close();
            throw new ModelFileException(folder + ": no end-of-sequence token: set 'eos_token' in "
                    + "tokenizer_config.json or 'eos_token_id' in config.json");
        }
        OptionalInt pad = tokenId(tokenizer, tokenizerConfig, "pad_token", modelConfig, "pad_token_id", file);
        boolean addBos = tokenizerConfig == null || !tokenizerConfig.has("add_bos_token")
                || tokenizerConfig.get("add_bos_token").getAsBoolean();
        return new HfTokenizer(tokenizer, addBos ? bos : OptionalInt.empty(), eos.getAsInt(),
                pad.orElse(eos.getAsInt()));
    }

    private static JsonObject readJson(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return new Gson().fromJson(Files.readString(file), JsonObject.class);
        } catch (IOException | JsonParseException e) {
            throw new ModelFileException(file + ": cannot read JSON: " + e.getMessage(), e);
        }
    }

    /** A special token from tokenizer_config.json (string or {content: ...}), else the id from config.json. */
    private static OptionalInt tokenId(HuggingFaceTokenizer tokenizer, JsonObject tokenizerConfig, String key,
            JsonObject modelConfig, String idKey, Path file) {
        JsonElement token = tokenizerConfig == null ? null : tokenizerConfig.get(key);
        if (token != null && token.isJsonObject()) {
            token = token.getAsJsonObject().get("content");
        }
        if (token != null && !token.isJsonNull()) {
            String text = token.getAsString();
            long[] ids = tokenizer.encode(text, false, false).getIds();
            if (ids.length != 1) {
                throw new ModelFileException(file + ": special token '" + key + "' = " + text
                        + " is not a single token in the vocabulary");
            }
            return OptionalInt.of((int) ids[0]);
        }
        JsonElement id = modelConfig == null ? null : modelConfig.get(idKey);
        if (id != null && id.isJsonArray() && id.getAsJsonArray().size() > 0) {
            id = id.getAsJsonArray().get(0);
        }
        return id != null && id.isJsonPrimitive() ? OptionalInt.of(id.getAsInt()) : OptionalInt.empty();
    }

    @Override
    public int[] encode(String text) {
        long[] ids = tokenizer.encode(text, false, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    @Override
    public OptionalInt bosId() {
        return bos;
    }

    @Override
    public int eosId() {
        return eos;
    }

    @Override
    public int padId() {
        return pad;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
