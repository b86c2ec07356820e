package dev.dpo4j.core.tokenizer;

import java.util.OptionalInt;

/**
 * Turns text into token ids for training. Implementations add no special tokens on their own: templates render
 * chat markers as text, and {@code PairEncoder} (core's data package) adds BOS before the prompt and EOS after each
 * completion explicitly, each only when the rendered text does not already start or end with it. The collator only
 * pads.
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
