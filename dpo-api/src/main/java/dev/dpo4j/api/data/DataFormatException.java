package dev.dpo4j.api.data;

/**
 * Bad input data: the message names the file (or source), the row or line, and the field at fault.
 */
public class DataFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String source;
    private final long row;
    private final String field;

    /**
     * Creates the exception.
     *
     * @param source the file or dataset name
     * @param row the 0-based row index, or -1 when the whole source is at fault
     * @param field the field (column) at fault, or null
     * @param problem what is wrong, as a sentence fragment
     */
    public DataFormatException(String source, long row, String field, String problem) {
        super(describe(source, row, field, problem));
        this.source = source;
        this.row = row;
        this.field = field;
    }

    /** Same, keeping the cause (a JSON or Parquet parse error, say). */
    public DataFormatException(String source, long row, String field, String problem, Throwable cause) {
        super(describe(source, row, field, problem), cause);
        this.source = source;
        this.row = row;
        this.field = field;
    }

    private static String describe(String source, long row, String field, String problem) {
        StringBuilder sb = new StringBuilder(String.valueOf(source));
        if (row >= 0) {
            sb.append(", row ").append(row);
        }
        if (field != null) {
            sb.append(", field '").append(field).append('\'');
        }
        return sb.append(": ").append(problem).toString();
    }

    /** The file or dataset name. */
    public String source() {
        return source;
    }

    /** The 0-based row index, or -1. */
    public long row() {
        return row;
    }

    /** The field at fault, or null. */
    public String field() {
        return field;
    }

    /** The problem without the location prefix. */
    public String problem() {
        String message = getMessage();
        return message.substring(message.indexOf(": ") + 2);
    }
}
