package dev.dpo4j.api.data;

import java.util.List;

/**
 * Turns one row of a dataset in its published schema into preference examples.
 *
 * <p>Rows come from any file format the readers support (Parquet, JSON Lines, JSON arrays); an adapter only
 * knows the schema. It may return several examples for one row (all ranked pairs, say) or none. Bad rows
 * throw {@link DataFormatException}, built with {@link DatasetRow#error(String, String)} so the message
 * names the file, row and field.
 */
@FunctionalInterface
public interface DatasetAdapter {

    /** Converts one row into zero or more preference examples. */
    List<PreferenceExample> toExamples(DatasetRow row);
}
