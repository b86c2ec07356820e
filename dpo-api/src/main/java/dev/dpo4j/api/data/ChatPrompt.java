package dev.dpo4j.api.data;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.Set;

/**
 * A prompt's messages together with the chat-template variables its row carries: TRL's {@code tools} column (a list
 * of JSON-schema objects, the template's {@code tools}) and {@code chat_template_kwargs} (extra template variables,
 * e.g. {@code enable_thinking}).
 *
 * <p>It is the {@link PreferenceExample#prompt()} list itself, so that templates that read variables (the model's own
 * Jinja chat template) find them where every template gets the conversation; as a list it is just its messages, and
 * list equality ignores the variables. Immutable; a class, not a record, because it is a {@code List}.
 */
public final class ChatPrompt extends AbstractList<ChatMessage> implements RandomAccess {

    /** Variables the template sets itself; {@code chat_template_kwargs} may not name them. */
    public static final Set<String> RESERVED = Set.of("messages", "tools", "add_generation_prompt");

    private final List<ChatMessage> messages;
    private final List<Map<String, Object>> tools;
    private final Map<String, Object> chatTemplateKwargs;

    private ChatPrompt(List<ChatMessage> messages, List<Map<String, Object>> tools,
            Map<String, Object> chatTemplateKwargs) {
        this.messages = messages;
        this.tools = tools;
        this.chatTemplateKwargs = chatTemplateKwargs;
    }

    /**
     * The messages with the row's template variables.
     *
     * @param messages the prompt, at least one message
     * @param tools the tool schemas (JSON objects), or null for none
     * @param chatTemplateKwargs extra template variables, or null for none
     * @throws IllegalArgumentException for no messages, a tool that is not an object, a blank kwarg name or one the
     *     template sets itself ({@link #RESERVED})
     */
    public static ChatPrompt of(List<ChatMessage> messages, List<?> tools, Map<String, ?> chatTemplateKwargs) {
        Objects.requireNonNull(messages, "messages");
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a prompt needs at least one message");
        }
        List<Map<String, Object>> toolList = null;
        if (tools != null) {
            toolList = new ArrayList<>(tools.size());
            for (int i = 0; i < tools.size(); i++) {
                if (!(tools.get(i) instanceof Map<?, ?> tool)) {
                    throw new IllegalArgumentException("tool " + i + " should be a JSON object but is "
                            + (tools.get(i) == null ? "null" : tools.get(i).getClass().getSimpleName()));
                }
                toolList.add(Collections.unmodifiableMap(stringKeys(tool, "tool " + i)));
            }
            toolList = Collections.unmodifiableList(toolList);
        }
        Map<String, Object> kwargs = Map.of();
        if (chatTemplateKwargs != null) {
            kwargs = stringKeys(chatTemplateKwargs, "chat_template_kwargs");
            for (String key : kwargs.keySet()) {
                if (key.isBlank() || RESERVED.contains(key)) {
                    throw new IllegalArgumentException("chat_template_kwargs may not set '" + key + "' (the "
                            + "template sets " + RESERVED + " itself)");
                }
            }
            kwargs = Collections.unmodifiableMap(kwargs);
        }
        return new ChatPrompt(List.copyOf(messages), toolList, kwargs);
    }

    private static Map<String, Object> stringKeys(Map<?, ?> map, String what) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new IllegalArgumentException(what + " has a key that is not a string: " + e.getKey());
            }
            out.put(key, e.getValue());
        }
        return out;
    }

    /** The template variables of {@code prompt} when it is a {@code ChatPrompt}, else none. */
    public static Map<String, Object> variablesOf(List<ChatMessage> prompt) {
        return prompt instanceof ChatPrompt p ? p.variables() : Map.of();
    }

    /** The same variables with other messages (a template that adds a system prompt keeps them so). */
    public static List<ChatMessage> withMessagesOf(List<ChatMessage> prompt, List<ChatMessage> messages) {
        return prompt instanceof ChatPrompt p ? new ChatPrompt(List.copyOf(messages), p.tools, p.chatTemplateKwargs)
                : messages;
    }

    /** The tool schemas, or null when the row has none (the template's {@code tools} is then undefined). */
    public List<Map<String, Object>> tools() {
        return tools;
    }

    /** The extra template variables, empty when none. */
    public Map<String, Object> chatTemplateKwargs() {
        return chatTemplateKwargs;
    }

    /** The variables a template sees besides {@code messages}: the kwargs, and {@code tools} when there are tools. */
    public Map<String, Object> variables() {
        Map<String, Object> vars = new LinkedHashMap<>(chatTemplateKwargs);
        if (tools != null) {
            vars.put("tools", tools);
        }
        return Collections.unmodifiableMap(vars);
    }

    @Override
    public ChatMessage get(int index) {
        return messages.get(index);
    }

    @Override
    public int size() {
        return messages.size();
    }
}
