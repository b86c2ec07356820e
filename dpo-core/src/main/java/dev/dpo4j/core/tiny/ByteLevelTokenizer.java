package dev.dpo4j.core.tiny;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.dpo4j.hub.ModelFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a small, real Hugging Face tokenizer: byte-level BPE (GPT-2's byte-to-unicode alphabet, no merges, so one
 * token per byte) with the ChatML special tokens {@code <|endoftext|>} (id 0, padding), {@code <|im_start|>} (1)
 * and {@code <|im_end|>} (2, end of sequence), then the 256 bytes (ids 3..258). The embedded default model
 * of the {@code dpo} command and the tests use it, so nothing is ever downloaded; transformers' {@code AutoTokenizer} loads the same files.
 */
public final class ByteLevelTokenizer {

    /** The vocabulary size: three special tokens and 256 bytes. */
    public static final int VOCAB_SIZE = 259;
    /** The special tokens, in id order. */
    public static final List<String> SPECIAL_TOKENS = List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>");

    private static final String CHATML_TEMPLATE = "{% for message in messages %}{{'<|im_start|>' + message['role']"
            + " + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}"
            + "{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private ByteLevelTokenizer() {
    }

    /** Writes {@code tokenizer.json} and {@code tokenizer_config.json} into {@code folder}. */
    public static void write(Path folder) throws IOException {
        Files.createDirectories(folder);
        var gson = new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create();
        Files.writeString(folder.resolve(ModelFiles.TOKENIZER), gson.toJson(tokenizerJson()));
        Files.writeString(folder.resolve(ModelFiles.TOKENIZER_CONFIG), gson.toJson(tokenizerConfig()));
    }

    private static JsonObject tokenizerJson() {
        JsonObject root = new JsonObject();
        root.addProperty("version", "1.0");
        root.add("truncation", JsonNull.INSTANCE);
        root.add("padding", JsonNull.INSTANCE);
        JsonArray added = new JsonArray();
        for (int id = 0; id < SPECIAL_TOKENS.size(); id++) {
            JsonObject token = new JsonObject();
            token.addProperty("id", id);
            token.addProperty("content", SPECIAL_TOKENS.get(id));
            token.addProperty("single_word", false);
            token.addProperty("lstrip", false);
            token.addProperty("rstrip", false);
            token.addProperty("normalized", false);
            token.addProperty("special", true);
            added.add(token);
        }
        root.add("added_tokens", added);
        root.add("normalizer", JsonNull.INSTANCE);
        root.add("pre_tokenizer", byteLevel(false));
        root.add("post_processor", JsonNull.INSTANCE);
        root.add("decoder", byteLevel(true));
        JsonObject model = new JsonObject();
        model.addProperty("type", "BPE");
        model.add("dropout", JsonNull.INSTANCE);
        model.add("unk_token", JsonNull.INSTANCE);
        model.add("continuing_subword_prefix", JsonNull.INSTANCE);
        model.add("end_of_word_suffix", JsonNull.INSTANCE);
        model.addProperty("fuse_unk", false);
        model.addProperty("byte_fallback", false);
        JsonObject vocab = new JsonObject();
        for (int id = 0; id < SPECIAL_TOKENS.size(); id++) {
            vocab.addProperty(SPECIAL_TOKENS.get(id), id);
        }
        List<String> alphabet = byteAlphabet();
        for (int b = 0; b < 256; b++) {
            vocab.addProperty(alphabet.get(b), SPECIAL_TOKENS.size() + b);
        }
        model.add("vocab", vocab);
        model.add("merges", new JsonArray());
        root.add("model", model);
        return root;
    }

    private static JsonObject byteLevel(boolean decoder) {
        JsonObject step = new JsonObject();
        step.addProperty("type", "ByteLevel");
        step.addProperty("add_prefix_space", decoder);
        step.addProperty("trim_offsets", true);
        step.addProperty("use_regex", true);
        return step;
    }

    private static JsonObject tokenizerConfig() {
        JsonObject config = new JsonObject();
        config.addProperty("tokenizer_class", "PreTrainedTokenizerFast");
        config.add("bos_token", JsonNull.INSTANCE);
        config.addProperty("eos_token", "<|im_end|>");
        config.addProperty("pad_token", "<|endoftext|>");
        config.addProperty("add_bos_token", false);
        config.addProperty("model_max_length", 4096);
        config.addProperty("chat_template", CHATML_TEMPLATE);
        return config;
    }

    /** GPT-2's printable stand-in character for each byte value. */
    static List<String> byteAlphabet() {
        List<Integer> printable = new ArrayList<>();
        for (int c = '!'; c <= '~'; c++) {
            printable.add(c);
        }
        for (int c = 0xA1; c <= 0xAC; c++) {
            printable.add(c);
        }
        for (int c = 0xAE; c <= 0xFF; c++) {
            printable.add(c);
        }
        String[] alphabet = new String[256];
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            int code = printable.contains(b) ? b : 256 + extra++;
            alphabet[b] = new String(Character.toChars(code));
        }
        return List.of(alphabet);
    }
}
