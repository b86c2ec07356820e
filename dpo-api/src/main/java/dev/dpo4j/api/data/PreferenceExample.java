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
 * <p>A completion is one assistant text, or, in TRL's conversational format, several messages (assistant turns that
 * call tools, the tools' results, the final answer): {@link #ofTurns} keeps them in {@code chosenTurns} and
 * {@code rejectedTurns}, which templates render whole ({@link #chosenMessages()}).
 *
 * @param prompt the conversation before the completion, never empty; a {@link ChatPrompt} when the row carries chat
 *     template variables (tools, chat_template_kwargs)
 * @param chosen the preferred completion (plain text, without template markers); with {@code chosenTurns}, the text
 *     of its last message
 * @param rejected the dispreferred completion (plain text, without template markers); with {@code rejectedTurns},
 *     the text of its last message
 * @param chosenTurns the preferred completion's messages when it has several, else empty
 * @param rejectedTurns the dispreferred completion's messages when it has several, else empty
 */
public record PreferenceExample(List<ChatMessage> prompt, String chosen, String rejected,
        List<ChatMessage> chosenTurns, List<ChatMessage> rejectedTurns) {

    /** Checks presence, that completion turns end with an assistant message, and copies the lists. */
    public PreferenceExample {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(chosen, "chosen");
        Objects.requireNonNull(rejected, "rejected");
        if (prompt.isEmpty()) {
            throw new IllegalArgumentException("a preference example needs at least one prompt message");
        }
        // a ChatPrompt is immutable already and keeps its template variables
        prompt = prompt instanceof ChatPrompt ? prompt : List.copyOf(prompt);
        chosenTurns = turns(chosenTurns, chosen, "chosen");
        rejectedTurns = turns(rejectedTurns, rejected, "rejected");
    }

    /** One text for each completion. */
    public PreferenceExample(List<ChatMessage> prompt, String chosen, String rejected) {
        this(prompt, chosen, rejected, List.of(), List.of());
    }

    /**
     * Completions of one or more messages each, TRL's conversational completions: each must end with an assistant
     * message, whose text becomes {@link #chosen()} ({@link #rejected()}); a single assistant message without other
     * fields is kept as plain text.
     *
     * @throws IllegalArgumentException when a completion is empty or does not end with an assistant message
     */
    public static PreferenceExample ofTurns(List<ChatMessage> prompt, List<ChatMessage> chosen,
            List<ChatMessage> rejected) {
        return new PreferenceExample(prompt, lastText(chosen, "chosen"), lastText(rejected, "rejected"),
                plain(chosen) ? List.of() : chosen, plain(rejected) ? List.of() : rejected);
    }

    /** The preferred completion as messages: its turns, or its text as one assistant message. */
    public List<ChatMessage> chosenMessages() {
        return chosenTurns.isEmpty() ? List.of(ChatMessage.assistant(chosen)) : chosenTurns;
    }

    /** The dispreferred completion as messages: its turns, or its text as one assistant message. */
    public List<ChatMessage> rejectedMessages() {
        return rejectedTurns.isEmpty() ? List.of(ChatMessage.assistant(rejected)) : rejectedTurns;
    }

    private static boolean plain(List<ChatMessage> completion) {
        return completion.size() == 1 && completion.get(0).fields().isEmpty()
                && ChatMessage.ASSISTANT.equals(completion.get(0).role());
    }

    private static String lastText(List<ChatMessage> completion, String name) {
        Objects.requireNonNull(completion, name);
        if (completion.isEmpty()) {
            throw new IllegalArgumentException("the " + name + " completion has no messages");
        }
        return completion.get(completion.size() - 1).content();
    }

    private static List<ChatMessage> turns(List<ChatMessage> turns, String text, String name) {
        if (turns == null || turns.isEmpty()) {
            return List.of();
        }
        ChatMessage last = turns.get(turns.size() - 1);
        if (!ChatMessage.ASSISTANT.equals(last.role())) {
            throw new IllegalArgumentException("the " + name + " completion should end with an assistant message but "
                    + "ends with a '" + last.role() + "' one");
        }
        if (!last.content().equals(text)) {
            throw new IllegalArgumentException("the " + name + " text should be its last message's");
        }
        return List.copyOf(turns);
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
