package dev.dpo4j.adapters.datasets;

import dev.dpo4j.api.data.ChatMessage;
import dev.dpo4j.api.data.DatasetAdapter;
import dev.dpo4j.api.data.DatasetRow;
import dev.dpo4j.api.data.PreferenceExample;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Files that already hold prompt / chosen / rejected columns (TRL's preference format), each a string or a list of
 * {@code {role, content}} messages. A message-list {@code chosen}/{@code rejected} contributes its LAST assistant
 * message as the completion; its earlier messages (which must agree between the two) are appended to the prompt,
 * as in ultrafeedback_binarized. An optional system column fills the system slot when non-empty.
 */
public final class GenericPreferenceAdapter implements DatasetAdapter {

    private final String promptColumn;
    private final String chosenColumn;
    private final String rejectedColumn;
    private final String systemColumn;

    private GenericPreferenceAdapter(Builder builder) {
        this.promptColumn = builder.prompt;
        this.chosenColumn = builder.chosen;
        this.rejectedColumn = builder.rejected;
        this.systemColumn = builder.system;
    }

    /** Columns {@code prompt}, {@code chosen}, {@code rejected}, no system column. */
    public static GenericPreferenceAdapter standard() {
        return builder().build();
    }

    /** A builder starting from the standard column names. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public List<PreferenceExample> toExamples(DatasetRow row) {
        List<ChatMessage> prompt = new ArrayList<>();
        if (systemColumn != null && row.has(systemColumn)) {
            String system = row.string(systemColumn);
            if (!system.isEmpty()) {
                prompt.add(ChatMessage.system(system));
            }
        }
        if (row.has(promptColumn) || chosenIsText(row)) {
            Object raw = row.require(promptColumn);
            if (raw instanceof String) {
                prompt.add(ChatMessage.user((String) raw));
            } else if (raw instanceof List) {
                prompt.addAll(Conversations.messages(row, promptColumn));
            } else {
                throw row.error(promptColumn, "should be a string or a list of messages but is "
                        + raw.getClass().getSimpleName());
            }
        }
        Completion chosen = completion(row, chosenColumn);
        Completion rejected = completion(row, rejectedColumn);
        if (!chosen.turns().equals(rejected.turns())) {
            throw row.error(rejectedColumn, "has different turns before its last assistant message than '"
                    + chosenColumn + "'");
        }
        prompt.addAll(chosen.turns());
        if (prompt.isEmpty()) {
            throw row.error(promptColumn, "is missing and '" + chosenColumn + "' holds no earlier turns");
        }
        return List.of(new PreferenceExample(prompt, chosen.text(), rejected.text()));
    }

    private boolean chosenIsText(DatasetRow row) {
        return row.has(chosenColumn) && row.require(chosenColumn) instanceof String;
    }

    private static Completion completion(DatasetRow row, String column) {
        Object raw = row.require(column);
        if (raw instanceof String) {
            return new Completion(List.of(), (String) raw);
        }
        if (raw instanceof List) {
            Conversations.Split split = Conversations.splitLastAssistant(row, column,
                    Conversations.messages(row, column));
            return new Completion(split.prompt(), split.completion());
        }
        throw row.error(column, "should be a string or a list of messages but is " + raw.getClass().getSimpleName());
    }

    private record Completion(List<ChatMessage> turns, String text) {
    }

    /** Configures the column names; {@link #build()} checks them. */
    public static final class Builder {
        private String prompt = "prompt";
        private String chosen = "chosen";
        private String rejected = "rejected";
        private String system;

        private Builder() {
        }

        /** The prompt column (default {@code prompt}). */
        public Builder promptColumn(String column) {
            this.prompt = column;
            return this;
        }

        /** The chosen column (default {@code chosen}). */
        public Builder chosenColumn(String column) {
            this.chosen = column;
            return this;
        }

        /** The rejected column (default {@code rejected}). */
        public Builder rejectedColumn(String column) {
            this.rejected = column;
            return this;
        }

        /** An optional system-prompt column (default none). */
        public Builder systemColumn(String column) {
            this.system = column;
            return this;
        }

        /**
         * The adapter.
         *
         * @throws IllegalArgumentException when a column name is blank or two columns share a name
         */
        public GenericPreferenceAdapter build() {
            for (String column : new String[] {prompt, chosen, rejected}) {
                if (column == null || column.isBlank()) {
                    throw new IllegalArgumentException("prompt, chosen and rejected column names must not be blank");
                }
            }
            if (system != null && system.isBlank()) {
                throw new IllegalArgumentException("the system column name must not be blank (use null for none)");
            }
            List<String> names = new ArrayList<>(List.of(prompt, chosen, rejected));
            if (system != null) {
                names.add(system);
            }
            if (names.stream().distinct().count() != names.size()) {
                throw new IllegalArgumentException("column names must differ, got " + names);
            }
            Objects.requireNonNull(prompt);
            return new GenericPreferenceAdapter(this);
        }
    }
}
