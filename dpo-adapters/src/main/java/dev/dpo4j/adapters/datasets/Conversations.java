package dev.dpo4j.adapters.datasets;

import dev.dpo4j.api.data.ChatMessage;
import dev.dpo4j.api.data.DatasetRow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads chat-message lists ({@code [{role, content}, ...]}) out of dataset rows, with errors naming the field. */
public final class Conversations {

    private Conversations() {
    }

    /**
     * The field as a list of chat messages; each element must be a map with a string {@code role} and a string
     * {@code content}, which a message with other keys ({@code tool_calls}, TRL's tool-calling turns) may leave out
     * or null (read as empty). Other keys with a value are kept as the message's {@link ChatMessage#fields() fields}.
     */
    public static List<ChatMessage> messages(DatasetRow row, String field) {
        List<?> raw = row.list(field);
        List<ChatMessage> messages = new ArrayList<>(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            Object item = raw.get(i);
            if (!(item instanceof Map)) {
                throw row.error(field, "element " + i + " should be a {role, content} message but is " + item);
            }
            Map<?, ?> map = (Map<?, ?>) item;
            Object role = map.get("role");
            Object content = map.get("content");
            if (!(role instanceof String) || ((String) role).isBlank()) {
                throw row.error(field, "element " + i + " has no string 'role'");
            }
            Map<String, Object> fields = new LinkedHashMap<>();
            map.forEach((key, value) -> {
                if (value != null && !"role".equals(key) && !"content".equals(key)) {
                    fields.put(String.valueOf(key), value);
                }
            });
            if (content == null && !fields.isEmpty()) {
                content = "";
            }
            if (!(content instanceof String)) {
                throw row.error(field, "element " + i + " has no string 'content'");
            }
            messages.add(new ChatMessage((String) role, (String) content, fields));
        }
        return messages;
    }

    /**
     * Splits a conversation that ends with the completion: the last message must be an assistant turn; it is the
     * completion and everything before it is the prompt.
     */
    public static Split splitLastAssistant(DatasetRow row, String field, List<ChatMessage> conversation) {
        if (conversation.isEmpty()) {
            throw row.error(field, "is an empty conversation");
        }
        ChatMessage last = conversation.get(conversation.size() - 1);
        if (!ChatMessage.ASSISTANT.equals(last.role())) {
            throw row.error(field, "should end with an assistant message but ends with a '" + last.role() + "' one");
        }
        return new Split(List.copyOf(conversation.subList(0, conversation.size() - 1)), last.content());
    }

    /**
     * A conversation cut before its last assistant message.
     *
     * @param prompt the messages before the completion
     * @param completion the last assistant message's text
     */
    public record Split(List<ChatMessage> prompt, String completion) {
    }
}
