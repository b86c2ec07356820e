package dev.dpo4j.adapters.datasets;

import dev.dpo4j.adapters.io.JsonValues;
import dev.dpo4j.api.data.ChatMessage;
import dev.dpo4j.api.data.ChatPrompt;
import dev.dpo4j.api.data.DatasetAdapter;
import dev.dpo4j.api.data.DatasetRow;
import dev.dpo4j.api.data.PreferenceExample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Files that already hold prompt / chosen / rejected columns (TRL's preference format), each a string or a list of
 * {@code {role, content}} messages. A message-list {@code chosen}/{@code rejected} is the whole completion, as in
 * TRL: one assistant message, or several (assistant turns with {@code tool_calls}, {@code tool} results, the final
 * answer), which must end with an assistant message; templates render it after the prompt, a model's chat template
 * as {@code render(prompt + completion)} less the rendered prompt. An optional system column fills the system slot
 * when non-empty.
 *
 * <p>Without a prompt column the prompt is implicit, as TRL's {@code extract_prompt} reads it: for message lists the
 * messages {@code chosen} and {@code rejected} share from the start (the rest of each, ending with an assistant
 * message, is its completion); for strings their longest common prefix, cut before the space that precedes the first differing
 * character, so that the completions keep their leading space ({@code "The sky is blue."} / {@code "The sky is
 * green."} give the prompt {@code "The sky is"} and completions {@code " blue."} / {@code " green."}). When one
 * completion starts with the whole other, TRL's rule leaves the last character (message) of the shorter one to
 * the completions; a row that shares nothing fails naming the row.
 *
 * <p>As in TRL 1.9, a {@code tools} column (a list of JSON-schema objects, or that list as a JSON-encoded string) and a {@code chat_template_kwargs} column
 * (an object) reach the model's chat template ({@code --template model}) as the variables {@code tools} and the
 * kwargs' names: the example's prompt is then a {@link ChatPrompt}. The built-in templates ignore them.
 */
public final class GenericPreferenceAdapter implements DatasetAdapter {

    /** TRL's column of tool schemas (JSON objects), passed to the model's chat template as {@code tools}. */
    public static final String TOOLS = "tools";
    /** TRL's column of extra chat-template variables (a JSON object), e.g. {@code {"enable_thinking": false}}. */
    public static final String CHAT_TEMPLATE_KWARGS = "chat_template_kwargs";

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
        List<PreferenceExample> examples = pairs(row);
        if (!row.has(TOOLS) && !row.has(CHAT_TEMPLATE_KWARGS)) {
            return examples;
        }
        List<?> tools = tools(row);
        Map<?, ?> kwargs = null;
        if (row.has(CHAT_TEMPLATE_KWARGS)) {
            Object raw = row.require(CHAT_TEMPLATE_KWARGS);
            if (!(raw instanceof Map<?, ?> map)) {
                throw row.error(CHAT_TEMPLATE_KWARGS, "should be a JSON object of template variables but is "
                        + raw.getClass().getSimpleName());
            }
            kwargs = map;
        }
        List<PreferenceExample> withVariables = new ArrayList<>(examples.size());
        for (PreferenceExample e : examples) {
            withVariables.add(new PreferenceExample(chatPrompt(row, e.prompt(), tools, kwargs), e.chosen(),
                    e.rejected(), e.chosenTurns(), e.rejectedTurns()));
        }
        return withVariables;
    }

    /** The row's tools: a list, or a JSON-encoded string of one (as TRL datasets often store it); null for none. */
    private static List<?> tools(DatasetRow row) {
        if (!row.has(TOOLS)) {
            return null;
        }
        if (!(row.require(TOOLS) instanceof String text)) {
            return row.list(TOOLS);
        }
        Object parsed;
        try {
            parsed = JsonValues.parse(text);
        } catch (IllegalArgumentException e) {
            throw row.error(TOOLS, "is a string but not JSON (" + e.getMessage() + ")");
        }
        if (parsed != null && !(parsed instanceof List)) {
            throw row.error(TOOLS, "is a JSON string of " + parsed.getClass().getSimpleName() + ", not of a list "
                    + "of tool schemas");
        }
        return (List<?>) parsed;
    }

    private static ChatPrompt chatPrompt(DatasetRow row, List<ChatMessage> prompt, List<?> tools, Map<?, ?> kwargs) {
        try {
            ChatPrompt.of(prompt, tools, null);
        } catch (IllegalArgumentException e) {
            throw row.error(TOOLS, e.getMessage());
        }
        Map<String, Object> named = new LinkedHashMap<>();
        if (kwargs != null) {
            for (Map.Entry<?, ?> entry : kwargs.entrySet()) {
                named.put(String.valueOf(entry.getKey()), entry.getValue());
            }
        }
        try {
            return ChatPrompt.of(prompt, tools, kwargs == null ? null : named);
        } catch (IllegalArgumentException e) {
            throw row.error(CHAT_TEMPLATE_KWARGS, e.getMessage());
        }
    }

    private List<PreferenceExample> pairs(DatasetRow row) {
        List<ChatMessage> prompt = new ArrayList<>();
        if (systemColumn != null && row.has(systemColumn)) {
            String system = row.string(systemColumn);
            if (!system.isEmpty()) {
                prompt.add(ChatMessage.system(system));
            }
        }
        if (!row.values().containsKey(promptColumn) && bothAre(row, String.class)) {
            return List.of(implicitText(row, prompt));
        }
        if (!row.has(promptColumn) && bothAre(row, List.class)) {
            return List.of(implicitMessages(row, prompt));
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
        List<ChatMessage> chosen = completion(row, chosenColumn);
        List<ChatMessage> rejected = completion(row, rejectedColumn);
        if (prompt.isEmpty()) {
            throw row.error(promptColumn, "is missing (give a '" + promptColumn + "' column, or '" + chosenColumn
                    + "' and '" + rejectedColumn + "' as message lists that start with the prompt's messages)");
        }
        return List.of(PreferenceExample.ofTurns(prompt, chosen, rejected));
    }

    private boolean bothAre(DatasetRow row, Class<?> type) {
        return type.isInstance(row.values().get(chosenColumn)) && type.isInstance(row.values().get(rejectedColumn));
    }

    /** TRL's extract_prompt on strings: the shared start is the prompt, a space before the split goes with the rest. */
    private PreferenceExample implicitText(DatasetRow row, List<ChatMessage> prompt) {
        String chosen = row.string(chosenColumn);
        String rejected = row.string(rejectedColumn);
        int cut = sharedTextPrefix(chosen, rejected);
        if (cut <= 0) {
            throw row.error(promptColumn, "is missing, and '" + chosenColumn + "' and '" + rejectedColumn
                    + "' share no leading text to take as the implicit prompt (give a '" + promptColumn
                    + "' column, or start both with the prompt)");
        }
        prompt.add(ChatMessage.user(chosen.substring(0, cut)));
        return new PreferenceExample(prompt, chosen.substring(cut), rejected.substring(cut));
    }

    /**
     * Where TRL's {@code extract_prompt} cuts two strings: at the first differing character, moved back one when the
     * character before it is a space; when one string starts with the whole other (no difference found), before the
     * shorter one's last character. Counted in code points as Python counts, returned as a {@code char} index.
     */
    static int sharedTextPrefix(String chosen, String rejected) {
        int at = 0;
        while (at < chosen.length() && at < rejected.length()) {
            int a = chosen.codePointAt(at);
            if (a != rejected.codePointAt(at)) {
                if (at > 0 && chosen.codePointBefore(at) == ' ') {
                    at--;
                }
                return at;
            }
            at += Character.charCount(a);
        }
        return at == 0 ? 0 : chosen.offsetByCodePoints(at, -1);
    }

    /** TRL's extract_prompt on message lists: the messages both start with are the prompt. */
    private PreferenceExample implicitMessages(DatasetRow row, List<ChatMessage> prompt) {
        List<ChatMessage> chosen = Conversations.messages(row, chosenColumn);
        List<ChatMessage> rejected = Conversations.messages(row, rejectedColumn);
        int shared = 0;
        int shorter = Math.min(chosen.size(), rejected.size());
        while (shared < shorter && chosen.get(shared).equals(rejected.get(shared))) {
            shared++;
        }
        if (shared == shorter) {
            shared--; // TRL's loop ends without a break: the shorter one's last message is its completion
        }
        if (shared <= 0) {
            throw row.error(promptColumn, "is missing, and '" + chosenColumn + "' and '" + rejectedColumn
                    + "' share no leading message to take as the implicit prompt (give a '" + promptColumn
                    + "' column, or start both with the prompt's messages)");
        }
        prompt.addAll(chosen.subList(0, shared));
        return PreferenceExample.ofTurns(prompt, endsWithAnswer(row, chosenColumn, chosen.subList(shared,
                chosen.size())), endsWithAnswer(row, rejectedColumn, rejected.subList(shared, rejected.size())));
    }

    /** A completion's messages, which must end with an assistant message (the answer). */
    private static List<ChatMessage> endsWithAnswer(DatasetRow row, String column, List<ChatMessage> completion) {
        if (completion.isEmpty()) {
            throw row.error(column, "holds no completion after the prompt's messages");
        }
        ChatMessage last = completion.get(completion.size() - 1);
        if (!ChatMessage.ASSISTANT.equals(last.role())) {
            throw row.error(column, "should end with an assistant message but ends with a '" + last.role()
                    + "' one");
        }
        return completion;
    }

    private boolean chosenIsText(DatasetRow row) {
        return row.has(chosenColumn) && row.require(chosenColumn) instanceof String;
    }

    /** A completion column: a text, or messages (one answer, or tool calls and results before it). */
    private static List<ChatMessage> completion(DatasetRow row, String column) {
        Object raw = row.require(column);
        if (raw instanceof String) {
            return List.of(ChatMessage.assistant((String) raw));
        }
        if (raw instanceof List) {
            return endsWithAnswer(row, column, Conversations.messages(row, column));
        }
        throw row.error(column, "should be a string or a list of messages but is " + raw.getClass().getSimpleName());
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
