package dev.dpo4j.adapters.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dpo4j.adapters.PreferenceDatasets;
import dev.dpo4j.adapters.datasets.GenericPreferenceAdapter;
import dev.dpo4j.adapters.testing.JsonlFixtures;
import dev.dpo4j.api.data.ChatMessage;
import dev.dpo4j.api.data.ChatPrompt;
import dev.dpo4j.api.data.PreferenceExample;
import dev.dpo4j.api.template.PromptTemplate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TRL 1.9's {@code tools} and {@code chat_template_kwargs} columns reach the model's Jinja chat template. */
class TemplateVariablesTest {

    @TempDir
    Path dir;

    static final String TEMPLATE = "{% if tools %}TOOLS:{% for t in tools %}{{ t.name }}({{ t.description }});"
            + "{% endfor %}\n{% endif %}{% if reasoning is defined %}REASONING={{ reasoning }}\n{% endif %}"
            + "{% if enable_thinking is defined and not enable_thinking %}NO_THINK\n{% endif %}"
            + "{% for m in messages %}<{{ m.role }}>{{ m.content }}</{{ m.role }}>\n{% endfor %}"
            + "{% if add_generation_prompt %}<assistant>{% endif %}";

    static Map<String, Object> msg(String role, String content) {
        return Map.of("role", role, "content", content);
    }

    static final Map<String, Object> WEATHER = Map.of("type", "function", "name", "get_weather",
            "description", "Weather of a city", "parameters", Map.of("type", "object"));

    private List<PreferenceExample> load(List<Map<String, Object>> rows) {
        Path file = JsonlFixtures.write(dir.resolve("tools.jsonl"), rows);
        List<PreferenceExample> examples = new ArrayList<>();
        PreferenceDatasets.load(GenericPreferenceAdapter.standard(), List.of(file)).forEach(examples::add);
        return examples;
    }

    @Test
    void toolsAndKwargsOfTheRowReachTheTemplate() {
        List<PreferenceExample> examples = load(List.of(
                Map.of("prompt", List.of(msg("user", "Weather in Paris?")),
                        "chosen", List.of(msg("assistant", "Sunny")), "rejected", List.of(msg("assistant", "No idea")),
                        "tools", List.of(WEATHER),
                        "chat_template_kwargs", Map.of("reasoning", "low", "enable_thinking", false)),
                Map.of("prompt", "Hi", "chosen", "Yo", "rejected", "No")));
        HfChatTemplate template = HfChatTemplate.of(TEMPLATE, Map.of());
        PreferenceExample withTools = examples.get(0);
        assertThat(withTools.prompt()).isInstanceOf(ChatPrompt.class)
                .containsExactly(ChatMessage.user("Weather in Paris?"));
        assertThat(template.renderPrompt(withTools.prompt())).isEqualTo(
                // trim_blocks, as transformers renders: the newline after {% endfor %} goes
                "TOOLS:get_weather(Weather of a city);REASONING=low\nNO_THINK\n"
                        + "<user>Weather in Paris?</user>\n<assistant>");
        assertThat(template.renderCompletion(withTools.prompt(), withTools.chosen()))
                .isEqualTo("Sunny</assistant>\n");
        // a row without the columns renders without them
        assertThat(template.renderPrompt(examples.get(1).prompt())).isEqualTo("<user>Hi</user>\n<assistant>");
        // and list equality is the messages' (the variables ride along)
        assertThat(withTools).isEqualTo(new PreferenceExample(List.of(ChatMessage.user("Weather in Paris?")),
                "Sunny", "No idea"));
    }

    @Test
    void toolsAsAJsonStringRenderAsTheList() {
        String json = "[{\"type\": \"function\", \"name\": \"get_weather\", \"description\": "
                + "\"Weather of a city\", \"parameters\": {\"type\": \"object\"}}]";
        List<PreferenceExample> examples = load(List.of(
                Map.of("prompt", List.of(msg("user", "Weather in Paris?")), "chosen", "Sunny", "rejected", "No idea",
                        "tools", json),
                Map.of("prompt", List.of(msg("user", "Weather in Paris?")), "chosen", "Sunny", "rejected", "No idea",
                        "tools", List.of(WEATHER))));
        HfChatTemplate template = HfChatTemplate.of(TEMPLATE, Map.of());
        assertThat(((ChatPrompt) examples.get(0).prompt()).tools()).isEqualTo(List.of(WEATHER));
        assertThat(template.renderPrompt(examples.get(0).prompt()))
                .isEqualTo(template.renderPrompt(examples.get(1).prompt()))
                .startsWith("TOOLS:get_weather(Weather of a city);");
    }

    static final String TOOL_TEMPLATE = "{% for m in messages %}<{{ m.role }}>{% if m.tool_calls %}"
            + "{% for c in m.tool_calls %}CALL {{ c.function.name }}({{ c.function.arguments.city }}){% endfor %}"
            + "{% else %}{{ m.content }}{% endif %}</{{ m.role }}>\n{% endfor %}"
            + "{% if add_generation_prompt %}<assistant>{% endif %}";

    static final Map<String, Object> CALL = Map.of("role", "assistant", "tool_calls", List.of(Map.of("type",
            "function", "function", Map.of("name", "get_weather", "arguments", Map.of("city", "Paris")))));

    @Test
    void completionsOfSeveralMessagesRenderAsTrlCutsTheWholeConversation() {
        PreferenceExample example = load(List.of(Map.of("prompt", List.of(msg("user", "Weather in Paris?")),
                "chosen", List.of(CALL, Map.of("role", "tool", "name", "get_weather", "content", "22C"),
                        msg("assistant", "It is 22C.")),
                "rejected", List.of(msg("assistant", "No idea"))))).get(0);
        assertThat(example.chosen()).isEqualTo("It is 22C.");
        assertThat(example.chosenTurns()).hasSize(3);
        assertThat(example.chosenTurns().get(0).fields()).containsOnlyKeys("tool_calls");
        assertThat(example.chosenTurns().get(1)).isEqualTo(new ChatMessage("tool", "22C",
                Map.of("name", "get_weather")));
        assertThat(example.rejectedTurns()).isEmpty();

        HfChatTemplate template = HfChatTemplate.of(TOOL_TEMPLATE, Map.of());
        String head = template.renderPrompt(example.prompt());
        assertThat(head).isEqualTo("<user>Weather in Paris?</user>\n<assistant>");
        // TRL: apply_chat_template(prompt + chosen) with the rendered prompt cut off
        assertThat(template.renderCompletion(example.prompt(), example.chosenMessages()))
                .isEqualTo("CALL get_weather(Paris)</assistant>\n<tool>22C</tool>\n<assistant>It is 22C.</assistant>\n");
        assertThat(template.renderCompletion(example.prompt(), example.rejectedMessages()))
                .isEqualTo("No idea</assistant>\n");

        // a built-in template renders the earlier turns as turns and the answer as its completion
        List<ChatMessage> turns = List.of(ChatMessage.assistant("Let me check."), new ChatMessage("tool", "22C"),
                ChatMessage.assistant("It is 22C."));
        assertThat(PromptTemplate.chatMl().renderCompletion(List.of(ChatMessage.user("Q")), turns)).isEqualTo(
                "Let me check.<|im_end|>\n<|im_start|>tool\n22C<|im_end|>\n<|im_start|>assistant\nIt is 22C."
                        + "<|im_end|>");
    }

    @Test
    void aCompletionEndsWithAnAssistantMessageThatMayOnlyCallATool() {
        PreferenceExample call = load(List.of(Map.of("prompt", List.of(msg("user", "Weather in Paris?")),
                "chosen", List.of(CALL), "rejected", List.of(msg("assistant", "No idea"))))).get(0);
        assertThat(HfChatTemplate.of(TOOL_TEMPLATE, Map.of()).renderCompletion(call.prompt(), call.chosenMessages()))
                .isEqualTo("CALL get_weather(Paris)</assistant>\n");
        assertThatThrownBy(() -> load(List.of(Map.of("prompt", List.of(msg("user", "Weather in Paris?")),
                "chosen", List.of(CALL, Map.of("role", "tool", "content", "22C")),
                "rejected", List.of(msg("assistant", "No idea"))))))
                .hasMessageContaining("row 0, field 'chosen': should end with an assistant message but ends with a "
                        + "'tool' one");
    }

    @Test
    void badToolsOrKwargsNameTheRowAndField() {
        assertThatThrownBy(() -> load(List.of(Map.of("prompt", "Hi", "chosen", "Yo", "rejected", "No",
                "tools", "get_weather"))))
                .hasMessageContaining("tools.jsonl")
                .hasMessageContaining("row 0, field 'tools': is a string but not JSON (");
        assertThatThrownBy(() -> load(List.of(Map.of("prompt", "Hi", "chosen", "Yo", "rejected", "No",
                "tools", "[{\"name\": \"get_weather\"}"))))
                .hasMessageContaining("row 0, field 'tools': is a string but not JSON (");
        assertThatThrownBy(() -> load(List.of(Map.of("prompt", "Hi", "chosen", "Yo", "rejected", "No",
                "tools", "{\"name\": \"get_weather\"}"))))
                .hasMessageContaining("row 0, field 'tools': is a JSON string of LinkedHashMap, not of a list of "
                        + "tool schemas");
        assertThatThrownBy(() -> load(List.of(Map.of("prompt", "Hi", "chosen", "Yo", "rejected", "No",
                "tools", 7L))))
                .hasMessageContaining("row 0, field 'tools': should be a list but is");
        assertThatThrownBy(() -> load(List.of(Map.of("prompt", "Hi", "chosen", "Yo", "rejected", "No",
                "tools", List.of("get_weather")))))
                .hasMessageContaining("row 0, field 'tools': tool 0 should be a JSON object but is String");
        assertThatThrownBy(() -> load(List.of(Map.of("prompt", "Hi", "chosen", "Yo", "rejected", "No",
                "chat_template_kwargs", List.of("x")))))
                .hasMessageContaining("row 0, field 'chat_template_kwargs': should be a JSON object of template "
                        + "variables but is");
        assertThatThrownBy(() -> load(List.of(Map.of("prompt", "Hi", "chosen", "Yo", "rejected", "No",
                "chat_template_kwargs", Map.of("add_generation_prompt", true)))))
                .hasMessageContaining("row 0, field 'chat_template_kwargs': chat_template_kwargs may not set "
                        + "'add_generation_prompt'");
    }
}
