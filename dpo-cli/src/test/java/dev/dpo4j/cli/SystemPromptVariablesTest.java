package dev.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dpo4j.adapters.template.HfChatTemplate;
import dev.dpo4j.api.data.ChatMessage;
import dev.dpo4j.api.data.ChatPrompt;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code --system_prompt} keeps a row's tools and chat_template_kwargs on their way to the chat template. */
class SystemPromptVariablesTest {

    @Test
    void theAddedSystemPromptKeepsTheRowsTemplateVariables() {
        HfChatTemplate model = HfChatTemplate.of("{% if tools %}{{ tools[0].name }}|{% endif %}{{ mode }}|"
                + "{% for m in messages %}{{ m.role }}:{{ m.content }};{% endfor %}", Map.of());
        List<ChatMessage> prompt = ChatPrompt.of(List.of(ChatMessage.user("Hi")), List.of(Map.of("name", "search")),
                Map.of("mode", "fast"));
        SystemPromptTemplate template = new SystemPromptTemplate(model, "Be brief");
        assertThat(template.renderPrompt(prompt)).isEqualTo("search|fast|system:Be brief;user:Hi;");
        assertThat(template.renderCompletion(prompt, "Yo")).isEqualTo("assistant:Yo;");
    }
}
