package dev.dpo4j.api.template;

import dev.dpo4j.api.NamedChoices;
import dev.dpo4j.api.data.ChatMessage;
import dev.dpo4j.api.data.ChatPrompt;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Renders a prompt conversation and a completion into the text a model is trained on.
 *
 * <p>{@code renderPrompt(messages) + renderCompletion(answer)} is the exact string the model would see when
 * serving that conversation, so prompt and completion can be tokenized apart and concatenated.
 * ChatML is the default; {@link #byName(String)} lists the built-ins.
 */
public interface PromptTemplate {

    /** Renders the conversation up to and including the generation prompt of the assistant turn. */
    String renderPrompt(List<ChatMessage> messages);

    /** Renders a completion as it follows the prompt, with the end-of-turn marker. */
    String renderCompletion(String completion);

    /**
     * Renders a completion as it follows this particular conversation; templates whose completion markup depends on
     * the conversation override it. The trainer calls this one.
     */
    default String renderCompletion(List<ChatMessage> prompt, String completion) {
        return renderCompletion(completion);
    }

    /**
     * Renders a completion of one or more messages (assistant turns calling tools, the tools' results, the answer) as
     * it follows {@code prompt}: for a single assistant message, {@link #renderCompletion(List, String)}; for several,
     * the rendered prompt of the conversation up to the last message plus that message's completion, less
     * {@code renderPrompt(prompt)}. Templates that render whole conversations (a model's chat template) override it
     * to cut {@code render(prompt + completion)} after {@code renderPrompt(prompt)}, as TRL does.
     *
     * @throws IllegalArgumentException when the completion is empty, does not end with an assistant message, or the
     *     longer conversation does not start with the rendered prompt
     */
    default String renderCompletion(List<ChatMessage> prompt, List<ChatMessage> completion) {
        if (completion.isEmpty() || !ChatMessage.ASSISTANT.equals(completion.get(completion.size() - 1).role())) {
            throw new IllegalArgumentException("a completion should end with an assistant message");
        }
        ChatMessage last = completion.get(completion.size() - 1);
        if (completion.size() == 1) {
            return renderCompletion(prompt, last.content());
        }
        List<ChatMessage> before = new ArrayList<>(prompt);
        before.addAll(completion.subList(0, completion.size() - 1));
        List<ChatMessage> history = ChatPrompt.withMessagesOf(prompt, before);
        String head = renderPrompt(prompt);
        String whole = renderPrompt(history) + renderCompletion(history, last.content());
        if (!whole.startsWith(head)) {
            throw new IllegalArgumentException("the template does not render the conversation with its completion as "
                    + "the prompt followed by more text, so the completion cannot be cut out");
        }
        return whole.substring(head.length());
    }

    /** ChatML without a default system prompt: {@code <|im_start|>role\n...<|im_end|>\n}. */
    static PromptTemplate chatMl() {
        return TurnTemplate.CHATML;
    }

    /** ChatML that inserts the given system prompt when a conversation has none. */
    static PromptTemplate chatMl(String defaultSystemPrompt) {
        return TurnTemplate.CHATML.withDefaultSystem(defaultSystemPrompt);
    }

    /** Llama 3 Instruct: {@code <|start_header_id|>role<|end_header_id|>\n\n...<|eot_id|>}. */
    static PromptTemplate llama3() {
        return TurnTemplate.LLAMA3;
    }

    /** Zephyr: {@code <|role|>\n...</s>\n}. */
    static PromptTemplate zephyr() {
        return TurnTemplate.ZEPHYR;
    }

    /**
     * Llama 2 chat's {@code [INST]} format: {@code <s>[INST] ... [/INST]}, the system prompt in a {@code <<SYS>>}
     * block, answers as {@code  answer </s>}. Mistral Instruct's own chat templates differ in details (one BOS at the
     * start, no space around the answer); for those, use the model's chat_template.
     */
    static PromptTemplate mistral() {
        return new InstTemplate();
    }

    /** No markup: the messages' texts joined by blank lines, the completion as it is. */
    static PromptTemplate plain() {
        return new PlainTemplate();
    }

    /**
     * TRL's standard (string) format: the prompt's text followed directly by the completion's, as TRL 1.9's
     * {@code DPOTrainer} trains on {@code {"prompt": "The sky is", "chosen": " blue."}} (the encoder adds the EOS token
     * after the completion, as for every template). A prompt of several messages is their texts joined with nothing
     * in between; for conversational data TRL applies the model's chat template instead.
     */
    static PromptTemplate trl() {
        return TrlTextTemplate.INSTANCE;
    }

    /**
     * A built-in template by name, spelled as {@link dev.dpo4j.api.Names} allows: {@code chatml}, {@code llama3},
     * {@code zephyr}, {@code mistral} (alias {@code llama2}), {@code plain} (alias {@code none}) or {@code trl}
     * (TRL's standard format, {@link #trl()}).
     *
     * @throws IllegalArgumentException naming the known templates when the name is unknown
     */
    static PromptTemplate byName(String name) {
        return NamedChoices.<Supplier<PromptTemplate>>builder("prompt template")
                .add("chatml", PromptTemplate::chatMl)
                .add("llama3", PromptTemplate::llama3)
                .add("zephyr", PromptTemplate::zephyr)
                .add("mistral", PromptTemplate::mistral, "llama2")
                .add("plain", PromptTemplate::plain, "none")
                .add("trl", PromptTemplate::trl)
                .build().get(name).get();
    }
}
