package dev.dpo4j.api.template;

import dev.dpo4j.api.data.ChatMessage;
import java.util.List;
import java.util.stream.Collectors;

/** No markup: the prompt messages' texts joined by blank lines, then a blank line; the completion as it is. */
final class PlainTemplate implements PromptTemplate {

    @Override
    public String renderPrompt(List<ChatMessage> messages) {
        return messages.stream().map(ChatMessage::content).collect(Collectors.joining("\n\n")) + "\n\n";
    }

    @Override
    public String renderCompletion(String completion) {
        return completion;
    }
}
