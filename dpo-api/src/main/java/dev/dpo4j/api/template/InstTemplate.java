package dev.dpo4j.api.template;

import dev.dpo4j.api.data.ChatMessage;
import java.util.List;

/**
 * The Llama 2 chat {@code [INST]} template, as the chat_template of {@code meta-llama/Llama-2-7b-chat-hf} renders
 * it: {@code <s>[INST] <<SYS>>\nsystem\n<</SYS>>\n\nuser [/INST]}, an earlier assistant turn as
 * {@code  answer </s>} (a space on both sides of the stripped answer), and each later user turn as
 * {@code <s>[INST] user [/INST]}. As there, the system block joins the first user message before the two are
 * stripped together, so the system prompt itself keeps its inner whitespace.
 */
final class InstTemplate implements PromptTemplate {

    @Override
    public String renderPrompt(List<ChatMessage> messages) {
        StringBuilder sb = new StringBuilder();
        String system = null;
        for (ChatMessage message : messages) {
            switch (message.role()) {
                case ChatMessage.SYSTEM:
                    system = message.content();
                    break;
                case ChatMessage.ASSISTANT:
                    sb.append(renderCompletion(message.content()));
                    break;
                default:
                    String content = message.content();
                    if (system != null) {
                        content = "<<SYS>>\n" + system + "\n<</SYS>>\n\n" + content;
                        system = null;
                    }
                    sb.append("<s>[INST] ").append(content.strip()).append(" [/INST]");
            }
        }
        return sb.toString();
    }

    @Override
    public String renderCompletion(String completion) {
        return " " + completion.strip() + " </s>";
    }
}
