package dev.dpo4j.adapters.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dpo4j.api.data.ChatMessage;
import dev.dpo4j.api.template.PromptTemplate;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfChatTemplateTest {

    static HfChatTemplate fixture(String name) {
        try {
            return HfChatTemplate.fromTokenizerConfig(Path.of(HfChatTemplateTest.class
                    .getResource("/templates/" + name + ".tokenizer_config.json").toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static final List<ChatMessage> MULTI_TURN = List.of(
            ChatMessage.system("You are a helpful assistant."),
            ChatMessage.user("Hi!"),
            ChatMessage.assistant("Hello. How can I help?"),
            ChatMessage.user("What is 2+2?"));

    @Test
    void qwenSingleTurnWithDefaultSystemPrompt() {
        HfChatTemplate qwen = fixture("qwen2.5-0.5b-instruct");
        assertThat(qwen.renderPrompt(List.of(ChatMessage.user("Give me a short introduction to large language model."))))
                .isEqualTo("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant."
                        + "<|im_end|>\n<|im_start|>user\nGive me a short introduction to large language model."
                        + "<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void qwenMultiTurnAndCompletion() {
        HfChatTemplate qwen = fixture("qwen2.5-0.5b-instruct");
        String expected = "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
                + "<|im_start|>user\nHi!<|im_end|>\n"
                + "<|im_start|>assistant\nHello. How can I help?<|im_end|>\n"
                + "<|im_start|>user\nWhat is 2+2?<|im_end|>\n"
                + "<|im_start|>assistant\n";
        assertThat(qwen.renderPrompt(MULTI_TURN)).isEqualTo(expected);
        assertThat(qwen.renderCompletion("4")).isEqualTo("4<|im_end|>\n");
        assertThat(qwen.renderCompletion(MULTI_TURN, " 4 ")).isEqualTo(" 4 <|im_end|>\n");
        // the dpo-api built-in agrees on the prompt; its completion has no trailing newline
        assertThat(PromptTemplate.chatMl().renderPrompt(MULTI_TURN)).isEqualTo(expected);
        assertThat(PromptTemplate.chatMl().renderCompletion("4")).isEqualTo("4<|im_end|>");
    }

    @Test
    void llama3MultiTurnAndCompletion() {
        HfChatTemplate llama = fixture("meta-llama-3-8b-instruct");
        String expected = "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
                + "You are a helpful assistant.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nHello. How can I help?<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n";
        assertThat(llama.renderPrompt(MULTI_TURN)).isEqualTo(expected);
        assertThat(llama.renderCompletion(" 4 \n")).isEqualTo("4<|eot_id|>");
        assertThat(PromptTemplate.llama3().renderPrompt(MULTI_TURN)).isEqualTo(expected);
        assertThat(PromptTemplate.llama3().renderCompletion(" 4 \n")).isEqualTo("4<|eot_id|>");
    }

    @Test
    void llama3TrimsContents() {
        HfChatTemplate llama = fixture("meta-llama-3-8b-instruct");
        assertThat(llama.renderPrompt(List.of(ChatMessage.user("  padded \n"))))
                .isEqualTo("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\npadded<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\n");
    }

    @Test
    void supportsRaiseExceptionNamespaceAndStringMethods() {
        String template = "{{ bos_token }}{% set ns = namespace(n=0) %}{% for message in messages %}"
                + "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
                + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}"
                + "{% endif %}{% set ns.n = ns.n + 1 %}"
                + "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'].strip() + ' [/INST]' }}"
                + "{% else %}{{ message['content'] | trim + eos_token }}{% endif %}{% endfor %}{{ ns.n }}";
        HfChatTemplate mistral = HfChatTemplate.of(template, Map.of("bos_token", "<s>", "eos_token", "</s>"));
        assertThat(mistral.render(List.of(ChatMessage.user(" Hi "), ChatMessage.assistant(" Yo ")), false))
                .isEqualTo("<s>[INST] Hi [/INST]Yo</s>2");
        assertThatThrownBy(() -> mistral.renderPrompt(List.of(ChatMessage.assistant("x"))))
                .isInstanceOf(HfChatTemplate.TemplateException.class)
                .hasMessageContaining("Conversation roles must alternate");
    }

    @Test
    void chatTemplateJinjaWinsOverTokenizerConfigAsInTransformers(@TempDir Path folder) throws IOException {
        Files.writeString(folder.resolve("tokenizer_config.json"), "{\"chat_template\": \"config:{{ messages[0]"
                + "['content'] }}\", \"eos_token\": {\"content\": \"</s>\"}, \"bos_token\": \"<s>\"}");
        List<ChatMessage> hi = List.of(ChatMessage.user("hi"));
        assertThat(HfChatTemplate.fromModelFolder(folder).render(hi, false)).isEqualTo("config:hi");

        // the separate file wins, and still gets the special tokens of tokenizer_config.json
        Files.writeString(folder.resolve("chat_template.jinja"),
                "{{ bos_token }}file:{{ messages[0]['content'] }}{{ eos_token }}\n");
        assertThat(HfChatTemplate.fromModelFolder(folder).render(hi, false)).isEqualTo("<s>file:hi</s>");
        assertThat(HfChatTemplate.fromTokenizerConfig(folder.resolve("tokenizer_config.json")).render(hi, false))
                .as("an explicit tokenizer_config.json is read as it is").isEqualTo("config:hi");

        // a folder with only the template file
        Files.delete(folder.resolve("tokenizer_config.json"));
        assertThat(HfChatTemplate.fromModelFolder(folder).render(hi, false)).isEqualTo("file:hi");
    }

    @Test
    void folderWithoutAnyTemplateIsNamed(@TempDir Path folder) throws IOException {
        Files.writeString(folder.resolve("tokenizer_config.json"), "{\"eos_token\": \"</s>\"}");
        assertThatThrownBy(() -> HfChatTemplate.fromModelFolder(folder))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(folder.toString())
                .hasMessageContaining("chat_template.jinja");
    }
}
