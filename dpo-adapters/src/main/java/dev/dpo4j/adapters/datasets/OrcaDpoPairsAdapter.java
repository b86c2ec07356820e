package dev.dpo4j.adapters.datasets;

import dev.dpo4j.api.data.DatasetAdapter;
import dev.dpo4j.api.data.DatasetRow;
import dev.dpo4j.api.data.PreferenceExample;
import java.util.List;

/**
 * {@code Intel/orca_dpo_pairs}: string columns {@code system}, {@code question}, {@code chosen}, {@code rejected}.
 * The system prompt becomes the first message; an empty (or missing/null) system means none.
 */
public final class OrcaDpoPairsAdapter implements DatasetAdapter {

    /** The Hub id. */
    public static final String HUB_ID = "Intel/orca_dpo_pairs";

    @Override
    public List<PreferenceExample> toExamples(DatasetRow row) {
        String system = row.has("system") ? row.string("system") : "";
        String question = row.string("question");
        if (question.isBlank()) {
            throw row.error("question", "is empty");
        }
        return List.of(PreferenceExample.of(system, question, row.string("chosen"), row.string("rejected")));
    }
}
