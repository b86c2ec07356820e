package dev.dpo4j.adapters;

import java.util.List;
import java.util.Map;

/**
 * What a lenient pass over a dataset left out: rows read, examples produced, rows skipped, skips counted by reason
 * (e.g. {@code missing field}, {@code wrong type}, {@code empty completion}, {@code identical completions},
 * {@code malformed JSON}) and the first few messages in full.
 *
 * @param rowsRead rows read from the files, skipped ones included
 * @param examples examples produced
 * @param skipped rows skipped
 * @param byReason skipped rows by reason, in first-seen order
 * @param firstMessages the first few error messages (file, row, field and problem)
 */
public record SkipReport(long rowsRead, long examples, long skipped, Map<String, Long> byReason,
        List<String> firstMessages) {

    /** Copies the collections. */
    public SkipReport {
        byReason = Map.copyOf(byReason);
        firstMessages = List.copyOf(firstMessages);
    }

    /** An empty report (nothing read yet). */
    public static SkipReport empty() {
        return new SkipReport(0, 0, 0, Map.of(), List.of());
    }

    /** One line: counts by reason and the first message. */
    public String summary() {
        if (skipped == 0) {
            return "read " + rowsRead + " rows into " + examples + " examples, none skipped";
        }
        return "read " + rowsRead + " rows into " + examples + " examples; skipped " + skipped + " " + byReason
                + (firstMessages.isEmpty() ? "" : ", first: " + firstMessages.get(0));
    }
}
