package dev.dpo4j.api.data;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One row of a dataset file as read from JSON or Parquet: field names mapped to {@code String}, {@code Number},
 * {@code Boolean}, {@code List} or nested {@code Map} values, plus where it came from for error messages.
 *
 * @param source the file the row was read from
 * @param index the 0-based row index in that file
 * @param values the row's fields
 */
public record DatasetRow(String source, long index, Map<String, Object> values) {

    /** Checks presence. */
    public DatasetRow {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(values, "values");
    }

    /** A row read from nowhere in particular, handy in tests and custom code. */
    public static DatasetRow of(Map<String, Object> values) {
        return new DatasetRow("<memory>", 0, values);
    }

    /** Whether the row has a non-null value for the field. */
    public boolean has(String field) {
        return values.get(field) != null;
    }

    /** The field's string value; fails naming the field when it is missing or not a string. */
    public String string(String field) {
        return as(require(field), String.class, field, "a string");
    }

    /** The field's string value, or the fallback when the field is missing or null. */
    public String string(String field, String fallback) {
        return has(field) ? string(field) : fallback;
    }

    /** The field's list value; fails naming the field when it is missing or not a list. */
    public List<?> list(String field) {
        return as(require(field), List.class, field, "a list");
    }

    /** The field's numeric value; fails naming the field when it is missing or not a number. */
    public Number number(String field) {
        return as(require(field), Number.class, field, "a number");
    }

    /** The raw value of a field, failing when it is missing. */
    public Object require(String field) {
        if (!values.containsKey(field)) {
            throw error(field, "is missing (the row has " + values.keySet() + ")");
        }
        Object value = values.get(field);
        if (value == null) {
            throw error(field, "is null");
        }
        return value;
    }

    /** An exception that names this row's file, index and the given field. */
    public DataFormatException error(String field, String problem) {
        return new DataFormatException(source, index, field, problem);
    }

    private <T> T as(Object value, Class<T> type, String field, String expected) {
        if (!type.isInstance(value)) {
            throw error(field, "should be " + expected + " but is " + describe(value));
        }
        return type.cast(value);
    }

    private static String describe(Object value) {
        String text = String.valueOf(value);
        String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        return value.getClass().getSimpleName() + " " + shown;
    }
}
