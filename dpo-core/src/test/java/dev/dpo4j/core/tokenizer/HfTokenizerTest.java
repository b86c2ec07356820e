package dev.dpo4j.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.dpo4j.api.data.PreferenceExample;
import dev.dpo4j.api.template.PromptTemplate;
import dev.dpo4j.core.data.PairEncoder;
import dev.dpo4j.core.data.TokenizedPair;
import dev.dpo4j.hub.ModelFileException;
import dev.dpo4j.testing.ByteLevelTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@link HfTokenizer} resolves BOS, EOS and PAD: from tokenizer_config.json, else config.json's ids; PAD falls back
 * to EOS; BOS is dropped when {@code add_bos_token} is false. The vocabulary is {@link ByteLevelTokenizer}'s:
 * {@code <|endoftext|>} 0, {@code <|im_start|>} 1, {@code <|im_end|>} 2, then byte {@code b} at {@code 3 + b}.
 */
class HfTokenizerTest {

    private static final Gson GSON = new Gson();

    @TempDir
    Path tmp;

    /** A folder with the byte-level tokenizer.json, the given tokenizer_config.json and config.json (null: none). */
    private Path folder(JsonObject tokenizerConfig, JsonObject modelConfig) throws IOException {
        Path folder = tmp.resolve("tok");
        ByteLevelTokenizer.write(folder);
        Files.delete(folder.resolve("tokenizer_config.json"));
        if (tokenizerConfig != null) {
            Files.writeString(folder.resolve("tokenizer_config.json"), new com.google.gson.GsonBuilder()
                    .serializeNulls().create().toJson(tokenizerConfig));
        }
        if (modelConfig != null) {
            Files.writeString(folder.resolve("config.json"), GSON.toJson(modelConfig));
        }
        return folder;
    }

    private static JsonObject json(String text) {
        return GSON.fromJson(text, JsonObject.class);
    }

    @Test
    void withoutAPadTokenPadsWithEos() throws IOException {
        try (HfTokenizer tokenizer = HfTokenizer.load(folder(json("{\"eos_token\": \"<|im_end|>\"}"), null))) {
            assertThat(tokenizer.eosId()).isEqualTo(2);
            assertThat(tokenizer.padId()).isEqualTo(2);
        }
    }

    @Test
    void aNullPadTokenFallsBackToConfigJsonsPadIdThenToEos() throws IOException {
        JsonObject config = json("{\"eos_token\": \"<|im_end|>\"}");
        config.add("pad_token", JsonNull.INSTANCE);
        try (HfTokenizer tokenizer = HfTokenizer.load(folder(config, json("{\"pad_token_id\": 0}")))) {
            assertThat(tokenizer.padId()).isEqualTo(0);
        }
        try (HfTokenizer tokenizer = HfTokenizer.load(folder(config, json("{\"eos_token_id\": 0}")))) {
            // tokenizer_config's eos_token wins over config.json's eos_token_id; PAD follows that EOS
            assertThat(tokenizer.eosId()).isEqualTo(2);
            assertThat(tokenizer.padId()).isEqualTo(2);
        }
    }

    @Test
    void bosIsUsedUnlessAddBosTokenIsFalse() throws IOException {
        JsonObject config = json("{\"bos_token\": \"<|im_start|>\", \"eos_token\": \"<|im_end|>\"}");
        try (HfTokenizer tokenizer = HfTokenizer.load(folder(config, null))) {
            assertThat(tokenizer.bosId()).hasValue(1); // add_bos_token absent counts as true
        }
        config.addProperty("add_bos_token", true);
        try (HfTokenizer tokenizer = HfTokenizer.load(folder(config, null))) {
            assertThat(tokenizer.bosId()).hasValue(1);
        }
        config.addProperty("add_bos_token", false);
        try (HfTokenizer tokenizer = HfTokenizer.load(folder(config, null))) {
            assertThat(tokenizer.bosId()).isEmpty();
        }
    }

    @Test
    void noBosAnywhereMeansNone() throws IOException {
        JsonObject config = json("{\"eos_token\": \"<|im_end|>\"}");
        config.add("bos_token", JsonNull.INSTANCE);
        try (HfTokenizer tokenizer = HfTokenizer.load(folder(config, json("{\"eos_token_id\": 2}")))) {
            assertThat(tokenizer.bosId()).isEmpty();
        }
        // a null bos_token still falls back to config.json's bos_token_id
        try (HfTokenizer tokenizer = HfTokenizer.load(folder(config, json("{\"bos_token_id\": 1}")))) {
            assertThat(tokenizer.bosId()).hasValue(1);
        }
    }

    @Test
    void withoutTokenizerConfigTheIdsComeFromConfigJson() throws IOException {
        // eos_token_id may be a list (Llama 3 Instruct's is [128001, 128009]): the first one is EOS
        try (HfTokenizer tokenizer = HfTokenizer.load(folder(null,
                json("{\"bos_token_id\": 1, \"eos_token_id\": [2, 0]}")))) {
            assertThat(tokenizer.bosId()).hasValue(1);
            assertThat(tokenizer.eosId()).isEqualTo(2);
            assertThat(tokenizer.padId()).isEqualTo(2);
        }
    }

    @Test
    void specialTokensMayBeAddedTokenObjects() throws IOException {
        JsonObject config = json("{\"eos_token\": {\"content\": \"<|im_end|>\", \"special\": true},"
                + " \"pad_token\": {\"content\": \"<|endoftext|>\"}}");
        try (HfTokenizer tokenizer = HfTokenizer.load(folder(config, null))) {
            assertThat(tokenizer.eosId()).isEqualTo(2);
            assertThat(tokenizer.padId()).isEqualTo(0);
        }
    }

    @Test
    void refusesAFolderWithoutEosOrWithASpecialTokenOutsideTheVocabulary() throws IOException {
        Path none = folder(json("{\"pad_token\": \"<|endoftext|>\"}"), json("{\"bos_token_id\": 1}"));
        assertThatThrownBy(() -> HfTokenizer.load(none)).isInstanceOf(ModelFileException.class)
                .hasMessage(none + ": no end-of-sequence token: set 'eos_token' in tokenizer_config.json or "
                        + "'eos_token_id' in config.json");
        // </s> is four bytes here, not one token
        Path unknown = folder(json("{\"eos_token\": \"</s>\"}"), null);
        assertThatThrownBy(() -> HfTokenizer.load(unknown)).isInstanceOf(ModelFileException.class)
                .hasMessage(unknown.resolve("tokenizer.json") + ": special token 'eos_token' = </s> is not a single "
                        + "token in the vocabulary");
    }

    @Test
    void encodesSpecialTokensWrittenAsTextButAddsNone() throws IOException {
        JsonObject config = json("{\"bos_token\": \"<|im_start|>\", \"eos_token\": \"<|im_end|>\"}");
        try (HfTokenizer tokenizer = HfTokenizer.load(folder(config, null))) {
            assertThat(tokenizer.encode("hi")).containsExactly('h' + 3, 'i' + 3);
            assertThat(tokenizer.encode("<|im_start|>hi<|im_end|>")).containsExactly(1, 'h' + 3, 'i' + 3, 2);
        }
    }

    @Test
    void theEncoderAddsBosOnlyWhenTheTemplateDidNot() throws IOException {
        // a Llama 3 style vocabulary: <|begin_of_text|> is BOS, <|eot_id|> is EOS, no pad token
        Path folder = folder(json("{\"bos_token\": \"<|begin_of_text|>\", \"eos_token\": \"<|eot_id|>\"}"), null);
        addSpecialTokens(folder.resolve("tokenizer.json"), "<|begin_of_text|>", "<|start_header_id|>",
                "<|end_header_id|>", "<|eot_id|>");
        int bos = ByteLevelTokenizer.VOCAB_SIZE;
        int eot = ByteLevelTokenizer.VOCAB_SIZE + 3;
        PreferenceExample example = PreferenceExample.of("Hi", "Yes", "No");
        try (HfTokenizer tokenizer = HfTokenizer.load(folder)) {
            assertThat(tokenizer.bosId()).hasValue(bos);
            assertThat(tokenizer.padId()).isEqualTo(eot);
            // Llama 3's template writes <|begin_of_text|> itself: one BOS, not two; its completions end with
            // <|eot_id|>, which is EOS, so no second EOS follows
            TokenizedPair llama = new PairEncoder(PromptTemplate.llama3(), tokenizer, 0, 0, 0).encode(example)
                    .orElseThrow();
            assertThat(llama.prompt()[0]).isEqualTo(bos);
            assertThat(Arrays.stream(llama.prompt()).filter(id -> id == bos).count()).isEqualTo(1);
            assertThat(llama.chosen()).containsExactly('Y' + 3, 'e' + 3, 's' + 3, eot);
            // ChatML writes none, so the encoder prepends it; its <|im_end|> is not EOS here, so EOS is appended
            TokenizedPair chatMl = new PairEncoder(PromptTemplate.chatMl(), tokenizer, 0, 0, 0).encode(example)
                    .orElseThrow();
            assertThat(chatMl.prompt()[0]).isEqualTo(bos);
            assertThat(chatMl.prompt()[1]).isEqualTo(1);
            assertThat(chatMl.rejected()).containsExactly('N' + 3, 'o' + 3, 2, eot);
        }
    }

    /** Appends special tokens to a tokenizer.json, with the ids after the byte-level vocabulary. */
    private static void addSpecialTokens(Path file, String... tokens) throws IOException {
        JsonObject root = GSON.fromJson(Files.readString(file), JsonObject.class);
        JsonArray added = root.getAsJsonArray("added_tokens");
        JsonObject vocab = root.getAsJsonObject("model").getAsJsonObject("vocab");
        int id = ByteLevelTokenizer.VOCAB_SIZE;
        for (String token : List.of(tokens)) {
            JsonObject entry = added.get(0).getAsJsonObject().deepCopy();
            entry.addProperty("id", id);
            entry.addProperty("content", token);
            added.add(entry);
            vocab.addProperty(token, id++);
        }
        Files.writeString(file, new com.google.gson.GsonBuilder().serializeNulls().create().toJson(root));
    }
}
