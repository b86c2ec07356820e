package dev.dpo4j.adapters.io;

import dev.dpo4j.api.data.DataFormatException;

/**
 * Decides what happens to a row a reader cannot parse (a malformed JSON line): rethrow it (strict) or record it and
 * go on (lenient).
 */
@FunctionalInterface
public interface BadRowHandler {

    /** Fails at the first bad row. */
    BadRowHandler STRICT = error -> {
        throw error;
    };

    /** Handles one unreadable row; returning normally skips it. */
    void onBadRow(DataFormatException error);
}
