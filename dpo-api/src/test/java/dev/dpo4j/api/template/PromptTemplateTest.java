package dev.dpo4j.api.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dpo4j.api.data.ChatMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The built-in templates against the strings the models' own Hugging Face chat templates render (tokenizer_config.json
 * {@code chat_template} of OpenHermes-2.5 (ChatML), Meta-Llama-3-8B-Instruct, zephyr-7b-beta and Llama-2-13b-chat-hf,
 * with {@code add_generation_prompt=True}).
 */
class PromptTemplateTest {

    /** A two-round conversation up to the third user turn; the second answer carries stray spaces. */
    private static final List<ChatMessage> CONVERSATION = List.of(
            ChatMessage.system("You are a helpful assistant"),
            ChatMessage.user("Hello"),
            ChatMessage.assistant("Hi there"),
            ChatMessage.user("Who are you"),
            ChatMessage.assistant("   I am an assistant   "),
            ChatMessage.user("Another question"));

    @Test
    void chatMlKeepsContentsAsTheyAre() {
        assertThat(PromptTemplate.chatMl().renderPrompt(CONVERSATION)).isEqualTo(
                "<|im_start|>system\nYou are a helpful assistant<|im_end|>\n"
                        + "<|im_start|>user\nHello<|im_end|>\n"
                        + "<|im_start|>assistant\nHi there<|im_end|>\n"
                        + "<|im_start|>user\nWho are you<|im_end|>\n"
                        + "<|im_start|>assistant\n   I am an assistant   <|im_end|>\n"
                        + "<|im_start|>user\nAnother question<|im_end|>\n"
                        + "<|im_start|>assistant\n");
        assertThat(PromptTemplate.chatMl().renderCompletion(" Fine. ")).isEqualTo(" Fine. <|im_end|>");
    }

    @Test
    void chatMlWithADefaultSystemPromptAddsItOnlyWhenTheConversationHasNone() {
        PromptTemplate template = PromptTemplate.chatMl("Be brief.");
        assertThat(template.renderPrompt(List.of(ChatMessage.user("Hi")))).isEqualTo(
                "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
        assertThat(template.renderPrompt(List.of(ChatMessage.system("Be long."), ChatMessage.user("Hi"))))
                .isEqualTo("<|im_start|>system\nBe long.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                        + "<|im_start|>assistant\n");
        assertThat(PromptTemplate.chatMl("").renderPrompt(List.of(ChatMessage.user("Hi"))))
                .isEqualTo(PromptTemplate.chatMl().renderPrompt(List.of(ChatMessage.user("Hi"))));
    }

    @Test
    void llama3StartsWithBeginOfTextAndTrimsEveryTurn() {
        // the template writes <|begin_of_text|> itself, as Llama 3's chat_template writes bos_token; the encoder
        // then sees the BOS id already in place and does not add a second one
        assertThat(PromptTemplate.llama3().renderPrompt(CONVERSATION)).isEqualTo("<|begin_of_text|>"
                + "<|start_header_id|>system<|end_header_id|>\n\nYou are a helpful assistant<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nHi there<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nWho are you<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nI am an assistant<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nAnother question<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n");
        assertThat(PromptTemplate.llama3().renderCompletion(" Fine.\n")).isEqualTo("Fine.<|eot_id|>");
        assertThat(PromptTemplate.llama3().renderPrompt(List.of(ChatMessage.user("Hi")))).isEqualTo(
                "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\n");
    }

    @Test
    void zephyrEndsEveryTurnWithEosAndANewline() {
        assertThat(PromptTemplate.zephyr().renderPrompt(CONVERSATION)).isEqualTo(
                "<|system|>\nYou are a helpful assistant</s>\n"
                        + "<|user|>\nHello</s>\n"
                        + "<|assistant|>\nHi there</s>\n"
                        + "<|user|>\nWho are you</s>\n"
                        + "<|assistant|>\n   I am an assistant   </s>\n"
                        + "<|user|>\nAnother question</s>\n"
                        + "<|assistant|>\n");
        assertThat(PromptTemplate.zephyr().renderCompletion("Fine.")).isEqualTo("Fine.</s>");
    }

    @Test
    void mistralIsLlama2sInstFormat() {
        assertThat(PromptTemplate.mistral().renderPrompt(CONVERSATION)).isEqualTo(
                "<s>[INST] <<SYS>>\nYou are a helpful assistant\n<</SYS>>\n\nHello [/INST] Hi there </s>"
                        + "<s>[INST] Who are you [/INST] I am an assistant </s>"
                        + "<s>[INST] Another question [/INST]");
        assertThat(PromptTemplate.mistral().renderCompletion("  Fine.\n")).isEqualTo(" Fine. </s>");
        // without a system prompt there is no <<SYS>> block, and the user message is stripped
        assertThat(PromptTemplate.mistral().renderPrompt(List.of(ChatMessage.user("  Hi \n"))))
                .isEqualTo("<s>[INST] Hi [/INST]");
        // the system block joins the first user message and the two are stripped together, as Llama 2's template
        assertThat(PromptTemplate.mistral().renderPrompt(List.of(ChatMessage.system("Be  brief. "),
                ChatMessage.user(" Hi ")))).isEqualTo("<s>[INST] <<SYS>>\nBe  brief. \n<</SYS>>\n\n Hi [/INST]");
    }

    @Test
    void plainJoinsTextsWithBlankLines() {
        assertThat(PromptTemplate.plain().renderPrompt(List.of(ChatMessage.system("Be brief."),
                ChatMessage.user("What is 2+2?")))).isEqualTo("Be brief.\n\nWhat is 2+2?\n\n");
        assertThat(PromptTemplate.plain().renderCompletion(" 4 ")).isEqualTo(" 4 ");
    }

    @Test
    void trlIsTheStandardFormatsTextConcatenated() {
        // TRL 1.9's standard format: {"prompt": "The sky is", "chosen": " blue.", "rejected": " green."}
        List<ChatMessage> sky = List.of(ChatMessage.user("The sky is"));
        for (PromptTemplate trl : List.of(PromptTemplate.trl(), PromptTemplate.byName("trl"),
                PromptTemplate.byName(" TRL "))) {
            assertThat(trl.renderPrompt(sky)).isEqualTo("The sky is");
            assertThat(trl.renderCompletion(sky, " blue.")).isEqualTo(" blue.");
            assertThat(trl.renderPrompt(sky) + trl.renderCompletion(sky, " green.")).isEqualTo("The sky is green.");
        }
        assertThat(PromptTemplate.trl().renderPrompt(List.of(ChatMessage.user("Q: 2+2?\nA:"))))
                .isEqualTo("Q: 2+2?\nA:");
        assertThat(PromptTemplate.trl().renderPrompt(List.of(ChatMessage.system("Be brief. "),
                ChatMessage.user("What is 2+2?")))).isEqualTo("Be brief. What is 2+2?");
        assertThat(PromptTemplate.trl().renderCompletion("  4\n")).isEqualTo("  4\n");
        // plain, by contrast, puts a blank line between prompt and completion
        assertThat(PromptTemplate.plain().renderPrompt(sky)).isEqualTo("The sky is\n\n");
    }

    @Test
    void promptPlusCompletionIsTheConversationWithTheAnswer() {
        // an earlier assistant turn inside a prompt renders exactly as the completion did when it was trained
        List<ChatMessage> first = CONVERSATION.subList(0, 2);
        List<ChatMessage> next = CONVERSATION.subList(0, 4);
        for (String name : List.of("chatml", "llama3", "zephyr", "mistral")) {
            PromptTemplate template = PromptTemplate.byName(name);
            String answered = template.renderPrompt(first) + template.renderCompletion(first, "Hi there");
            assertThat(template.renderPrompt(next)).as(name).startsWith(answered);
        }
    }

    @Test
    void byNameKnowsEveryBuiltInAndItsSpellings() {
        List<ChatMessage> hi = List.of(ChatMessage.user("Hi"));
        assertThat(PromptTemplate.byName("chatml")).isSameAs(PromptTemplate.chatMl());
        assertThat(PromptTemplate.byName("Llama-3")).isSameAs(PromptTemplate.llama3());
        assertThat(PromptTemplate.byName("llama_3")).isSameAs(PromptTemplate.llama3());
        assertThat(PromptTemplate.byName("ZEPHYR")).isSameAs(PromptTemplate.zephyr());
        assertThat(PromptTemplate.byName("llama2").renderPrompt(hi)).isEqualTo("<s>[INST] Hi [/INST]");
        assertThat(PromptTemplate.byName("mistral").renderPrompt(hi)).isEqualTo("<s>[INST] Hi [/INST]");
        assertThat(PromptTemplate.byName("none").renderPrompt(hi)).isEqualTo("Hi\n\n");
        assertThat(PromptTemplate.byName("plain").renderPrompt(hi)).isEqualTo("Hi\n\n");
        assertThatThrownBy(() -> PromptTemplate.byName("alpaca")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("prompt template must be chatml, llama3, zephyr, mistral, plain or trl, got 'alpaca'");
    }
}
