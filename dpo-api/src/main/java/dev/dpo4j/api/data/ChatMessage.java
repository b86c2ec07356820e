package dev.dpo4j.api.data;

import java.util.Objects;

/**
 * One turn of a conversation: a role ({@code system}, {@code user} or {@code assistant}) and its text.
 *
 * @param role the speaker, lower case as chat templates expect it
 * @param content the text of the turn
 */
public record ChatMessage(String role, String content) {

    /** The role of a system prompt. */
    public static final String SYSTEM = "system";
    /** The role of the human turn. */
    public static final String USER = "user";
    /** The role of the model turn. */
    public static final String ASSISTANT = "assistant";

    /** Checks that role and content are present. */
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        if (role.isBlank()) {
            throw new IllegalArgumentException("a chat message needs a role, got a blank one");
        }
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
