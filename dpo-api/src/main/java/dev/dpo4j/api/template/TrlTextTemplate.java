package dev.dpo4j.api.template;

import dev.dpo4j.api.data.ChatMessage;
import java.util.List;
import java.util.stream.Collectors;

/** TRL's standard (string) format: the prompt text and the completion text concatenated, nothing in between. */
final class TrlTextTemplate implements PromptTemplate {

    static final TrlTextTemplate INSTANCE = new TrlTextTemplate();

    private TrlTextTemplate() {
    }

    @Override
    public String renderPrompt(List<ChatMessage> messages) {
        return messages.stream().map(ChatMessage::content).collect(Collectors.joining());
    }

    @Override
    public String renderCompletion(String completion) {
        return completion;
    }
}
