package dev.dpo4j.adapters;

import dev.dpo4j.api.data.DataFormatException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Counts skipped rows by reason during one pass. */
final class SkipCollector {

    private final int maxMessages;
    private final Map<String, Long> byReason = new LinkedHashMap<>();
    private final List<String> messages = new ArrayList<>();
    long rows;
    long examples;
    long skipped;

    SkipCollector(int maxMessages) {
        this.maxMessages = maxMessages;
    }

    void skip(DataFormatException error) {
        skipped++;
        byReason.merge(reason(error), 1L, Long::sum);
        if (messages.size() < maxMessages) {
            messages.add(error.getMessage());
        }
    }

    SkipReport report() {
        return new SkipReport(rows, examples, skipped, byReason, messages);
    }

    /** A short reason from the problem text DatasetRow and the adapters write. */
    static String reason(DataFormatException error) {
        String problem = error.problem();
        if (problem.contains("invalid UTF-8")) {
            return "invalid UTF-8";
        }
        if (problem.contains(" bytes, more than any row can use")) {
            return "line too long";
        }
        if (problem.startsWith("malformed JSON")) {
            return "malformed JSON";
        }
        if (problem.startsWith("is missing") || problem.equals("is null")) {
            return "missing field";
        }
        if (problem.startsWith("should be")) {
            return "wrong type";
        }
        if (problem.startsWith("is empty")) {
            return "empty completion";
        }
        if (problem.startsWith("is identical")) {
            return "identical completions";
        }
        return "invalid value";
    }
}
