package dev.dpo4j.api.template;

import dev.dpo4j.api.data.ChatMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A template in which every turn is {@code header(role) + content + endOfTurn}: ChatML, Llama 3 and Zephyr.
 *
 * @param begin text at the very start of a conversation (a BOS marker, or empty)
 * @param header renders the header that opens a turn of the given role
 * @param endOfTurn the marker that closes every turn, completions included
 * @param separator text after the end-of-turn marker between turns (a newline, or empty)
 * @param trim whether message contents are trimmed as the template does
 * @param defaultSystem the system prompt used when a conversation has none, or null
 */
public record TurnTemplate(String begin, UnaryOperator<String> header, String endOfTurn, String separator,
        boolean trim, String defaultSystem) implements PromptTemplate {

    static final TurnTemplate CHATML = new TurnTemplate("",
            role -> "<|im_start|>" + role + "\n", "<|im_end|>", "\n", false, null);
    static final TurnTemplate LLAMA3 = new TurnTemplate("<|begin_of_text|>",
            role -> "<|start_header_id|>" + role + "<|end_header_id|>\n\n", "<|eot_id|>", "", true, null);
    static final TurnTemplate ZEPHYR = new TurnTemplate("",
            role -> "<|" + role + "|>\n", "</s>", "\n", false, null);

    /** The same template with a default system prompt (null or empty for none). */
    public TurnTemplate withDefaultSystem(String system) {
        return new TurnTemplate(begin, header, endOfTurn, separator, trim,
                system == null || system.isEmpty() ? null : system);
    }

    @Override
    public String renderPrompt(List<ChatMessage> messages) {
        List<ChatMessage> turns = new ArrayList<>(messages);
        if (defaultSystem != null && (turns.isEmpty() || !ChatMessage.SYSTEM.equals(turns.get(0).role()))) {
            turns.add(0, ChatMessage.system(defaultSystem));
        }
        StringBuilder sb = new StringBuilder(begin);
        for (ChatMessage message : turns) {
            sb.append(header.apply(message.role())).append(content(message.content())).append(endOfTurn)
                    .append(separator);
        }
        return sb.append(header.apply(ChatMessage.ASSISTANT)).toString();
    }

    @Override
    public String renderCompletion(String completion) {
        return content(completion) + endOfTurn;
    }

    private String content(String text) {
        return trim ? text.strip() : text;
    }
}
