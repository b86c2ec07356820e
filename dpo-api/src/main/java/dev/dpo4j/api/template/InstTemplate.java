package dev.dpo4j.api.template;

import dev.dpo4j.api.data.ChatMessage;
import java.util.List;

/**
 * The Mistral / Llama 2 {@code [INST]} template: {@code <s>[INST] <<SYS>>\nsystem\n<</SYS>>\n\nuser [/INST]}, an
 * earlier assistant turn as {@code  answer</s>}, and each later user turn as {@code <s>[INST] user [/INST]}.
 */
final class InstTemplate implements PromptTemplate {

    @Override
    public String renderPrompt(List<ChatMessage> messages) {
        StringBuilder sb = new StringBuilder();
        String system = null;
        for (ChatMessage message : messages) {
            switch (message.role()) {
                case ChatMessage.SYSTEM:
                    system = message.content().strip();
                    break;
                case ChatMessage.ASSISTANT:
                    sb.append(renderCompletion(message.content()));
                    break;
                default:
                    sb.append("<s>[INST] ");
                    if (system != null) {
                        sb.append("<<SYS>>\n").append(system).append("\n<</SYS>>\n\n");
                        system = null;
                    }
                    sb.append(message.content().strip()).append(" [/INST]");
            }
        }
        return sb.toString();
    }

    @Override
    public String renderCompletion(String completion) {
        return " " + completion.strip() + "</s>";
    }
}
