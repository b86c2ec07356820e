package dev.dpo4j.api.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One preference pair: a prompt conversation and two completions, the preferred ({@code chosen}) and the
 * dispreferred ({@code rejected}) one.
 *
 * <p>The prompt is a list of chat messages ending with the turn the completions answer; a system prompt,
 * when there is one, is its first message. Single-turn data uses {@link #of(String, String, String)}.
 *
 * @param prompt the conversation before the completion, never empty; a {@link ChatPrompt} when the row carries chat
 *     template variables (tools, chat_template_kwargs)
 * @param chosen the preferred completion (plain text, without template markers)
 * @param rejected the dispreferred completion (plain text, without template markers)
 */
public record PreferenceExample(List<ChatMessage> prompt, String chosen, String rejected) {

    /** Checks presence and copies the prompt into an immutable list. */
    public PreferenceExample {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(chosen, "chosen");
        Objects.requireNonNull(rejected, "rejected");
        if (prompt.isEmpty()) {
            throw new IllegalArgumentException("a preference example needs at least one prompt message");
        }
        // a ChatPrompt is immutable already and keeps its template variables
        prompt = prompt instanceof ChatPrompt ? prompt : List.copyOf(prompt);
    }

    /** A single-turn example without a system prompt. */
    public static PreferenceExample of(String prompt, String chosen, String rejected) {
        return new PreferenceExample(List.of(ChatMessage.user(prompt)), chosen, rejected);
    }

    /** A single-turn example with a system prompt; a null or empty system prompt is left out. */
    public static PreferenceExample of(String system, String prompt, String chosen, String rejected) {
        List<ChatMessage> messages = new ArrayList<>(2);
        if (system != null && !system.isEmpty()) {
            messages.add(ChatMessage.system(system));
        }
        messages.add(ChatMessage.user(prompt));
        return new PreferenceExample(messages, chosen, rejected);
    }

    /** The system prompt, if the conversation starts with one. */
    public Optional<String> system() {
        ChatMessage first = prompt.get(0);
        return ChatMessage.SYSTEM.equals(first.role()) ? Optional.of(first.content()) : Optional.empty();
    }

    /** The prompt messages after the system prompt. */
    public List<ChatMessage> turns() {
        return system().isPresent() ? prompt.subList(1, prompt.size()) : prompt;
    }
}
