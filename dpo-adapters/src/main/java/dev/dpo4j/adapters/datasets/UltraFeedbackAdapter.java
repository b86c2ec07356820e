package dev.dpo4j.adapters.datasets;

import dev.dpo4j.api.data.ChatMessage;
import dev.dpo4j.api.data.DatasetAdapter;
import dev.dpo4j.api.data.DatasetRow;
import dev.dpo4j.api.data.PreferenceExample;
import java.util.List;

/**
 * {@code HuggingFaceH4/ultrafeedback_binarized} ({@code train_prefs}/{@code test_prefs}, also the {@code _gen} and
 * {@code _sft} splits): {@code chosen} and {@code rejected} are whole conversations ({@code [{content, role}]}); the
 * completion is each one's LAST assistant message and the messages before it are the prompt, which must be the same
 * in both. {@code prompt}, {@code prompt_id} and the scores are not needed.
 */
public final class UltraFeedbackAdapter implements DatasetAdapter {

    /** The Hub id. */
    public static final String HUB_ID = "HuggingFaceH4/ultrafeedback_binarized";

    @Override
    public List<PreferenceExample> toExamples(DatasetRow row) {
        Conversations.Split chosen = Conversations.splitLastAssistant(row, "chosen",
                Conversations.messages(row, "chosen"));
        Conversations.Split rejected = Conversations.splitLastAssistant(row, "rejected",
                Conversations.messages(row, "rejected"));
        if (!chosen.prompt().equals(rejected.prompt())) {
            throw row.error("rejected", "has different turns before its last assistant message than 'chosen'");
        }
        List<ChatMessage> prompt = chosen.prompt();
        if (prompt.isEmpty()) {
            throw row.error("chosen", "has no prompt turn before the assistant message");
        }
        return List.of(new PreferenceExample(prompt, chosen.completion(), rejected.completion()));
    }
}
