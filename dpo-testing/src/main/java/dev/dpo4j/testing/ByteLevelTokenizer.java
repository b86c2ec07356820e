package dev.dpo4j.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The byte-level ChatML tokenizer of the tiny models: {@code <|endoftext|>} (id 0, padding), {@code <|im_start|>}
 * (1), {@code <|im_end|>} (2, end of sequence), then the 256 bytes; written by dpo-core's
 * {@link dev.dpo4j.core.tiny.ByteLevelTokenizer}.
 */
public final class ByteLevelTokenizer {

    /** The vocabulary size: three special tokens and 256 bytes. */
    public static final int VOCAB_SIZE = dev.dpo4j.core.tiny.ByteLevelTokenizer.VOCAB_SIZE;
    /** The special tokens, in id order. */
    public static final List<String> SPECIAL_TOKENS = dev.dpo4j.core.tiny.ByteLevelTokenizer.SPECIAL_TOKENS;

    private ByteLevelTokenizer() {
    }

    /** Writes {@code tokenizer.json} and {@code tokenizer_config.json} into {@code folder}. */
    public static void write(Path folder) throws IOException {
        dev.dpo4j.core.tiny.ByteLevelTokenizer.write(folder);
    }
}
