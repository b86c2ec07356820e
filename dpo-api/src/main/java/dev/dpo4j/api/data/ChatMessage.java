package dev.dpo4j.api.data;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One turn of a conversation: a role ({@code system}, {@code user}, {@code assistant} or {@code tool}), its text, and
 * the message's other keys as TRL's conversational format has them ({@code tool_calls} of an assistant turn,
 * {@code name} or {@code tool_call_id} of a tool result), which a model's chat template reads.
 *
 * @param role the speaker, lower case as chat templates expect it
 * @param content the text of the turn (empty for an assistant turn that only calls tools)
 * @param fields the message's other keys and their JSON values (maps, lists, strings, numbers), in order; empty for
 *     a plain message
 */
public record ChatMessage(String role, String content, Map<String, Object> fields) {

    /** The role of a system prompt. */
    public static final String SYSTEM = "system";
    /** The role of the human turn. */
    public static final String USER = "user";
    /** The role of the model turn. */
    public static final String ASSISTANT = "assistant";
    /** The role of a tool's result. */
    public static final String TOOL = "tool";

    /** Checks that role and content are present and that the fields repeat neither; copies the fields. */
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        if (role.isBlank()) {
            throw new IllegalArgumentException("a chat message needs a role, got a blank one");
        }
        fields = fields == null || fields.isEmpty() ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        if (fields.containsKey("role") || fields.containsKey("content")) {
            throw new IllegalArgumentException("a chat message's other fields may not repeat its role or content");
        }
    }

    /** A plain message: a role and its text. */
    public ChatMessage(String role, String content) {
        this(role, content, Map.of());
    }

    /** A system prompt. */
    public static ChatMessage system(String content) {
        return new ChatMessage(SYSTEM, content);
    }

    /** A user turn. */
    public static ChatMessage user(String content) {
        return new ChatMessage(USER, content);
    }

    /** An assistant turn. */
    public static ChatMessage assistant(String content) {
        return new ChatMessage(ASSISTANT, content);
    }
}
