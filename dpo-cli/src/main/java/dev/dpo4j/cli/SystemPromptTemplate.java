package dev.dpo4j.cli;

import dev.dpo4j.api.data.ChatMessage;
import dev.dpo4j.api.data.ChatPrompt;
import dev.dpo4j.api.template.PromptTemplate;
import java.util.ArrayList;
import java.util.List;

/** Wraps a template so that conversations without a system prompt get the given one. */
final class SystemPromptTemplate implements PromptTemplate {

    private final PromptTemplate inner;
    private final String system;

    SystemPromptTemplate(PromptTemplate inner, String system) {
        this.inner = inner;
        this.system = system;
    }

    private List<ChatMessage> withSystem(List<ChatMessage> messages) {
        if (!messages.isEmpty() && ChatMessage.SYSTEM.equals(messages.get(0).role())) {
            return messages;
        }
        List<ChatMessage> out = new ArrayList<>(messages.size() + 1);
        out.add(ChatMessage.system(system));
        out.addAll(messages);
        return ChatPrompt.withMessagesOf(messages, out); // keeps the row's tools and chat_template_kwargs
    }

    @Override
    public String renderPrompt(List<ChatMessage> messages) {
        return inner.renderPrompt(withSystem(messages));
    }

    @Override
    public String renderCompletion(String completion) {
        return inner.renderCompletion(completion);
    }

    /** The completion after the prompt with the system prompt added (templates may depend on the conversation). */
    public String renderCompletion(List<ChatMessage> prompt, String completion) {
        return inner.renderCompletion(withSystem(prompt), completion);
    }
}
