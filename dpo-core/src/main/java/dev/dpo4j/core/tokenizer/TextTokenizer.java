package dev.dpo4j.core.tokenizer;

import java.util.OptionalInt;

/**
 * Turns text into token ids for training. Implementations add no special tokens on their own: templates render
 * chat markers as text, and the collator adds BOS and EOS explicitly.
 */
public interface TextTokenizer extends AutoCloseable {

    /** The ids of {@code text}, with no special tokens added. */
    int[] encode(String text);

    /** The beginning-of-sequence id, if the tokenizer has one that must start every sequence. */
    OptionalInt bosId();

    /** The end-of-sequence id appended after a completion unless the template already ended with it. */
    int eosId();

    /** The id used to pad batches (its positions are masked out, so any valid id works). */
    int padId();

    /** Frees native resources. */
    @Override
    default void close() {
    }
}
