package dev.dpo4j.adapters.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.dpo4j.adapters.template.HfChatTemplate.TemplateException;
import dev.dpo4j.api.data.ChatMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A hostile chat template renders in bounded time and memory, includes nothing, and errors name its source. */
class TemplateBoundsTest {

    private static final List<ChatMessage> HELLO = List.of(ChatMessage.user("Hello"));

    @TempDir
    Path dir;

    private HfChatTemplate fromFile(String template) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("model"));
        Files.writeString(folder.resolve("chat_template.jinja"), template);
        return HfChatTemplate.fromModelFolder(folder);
    }

    @Test
    void nestedHugeLoopsStopWithAnErrorNamingTheFile() throws IOException {
        HfChatTemplate template = fromFile(
                "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}");
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThatThrownBy(
                () -> template.renderPrompt(HELLO)).isInstanceOf(TemplateException.class)
                .hasMessageContaining(dir.resolve("model/chat_template.jinja").toString())
                .hasMessageContaining("steps"));
    }

    @Test
    void stringDoublingStopsBeforeGigabytes() throws IOException {
        HfChatTemplate template = fromFile("{% set s = namespace(v='xxxxxxxxxx') %}{% for i in range(40) %}"
                + "{% set s.v = s.v ~ s.v %}{% endfor %}{{ s.v }}");
        long used = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            long before = allocated(); // on the thread that renders
            assertThatThrownBy(() -> template.renderPrompt(HELLO)).isInstanceOf(TemplateException.class)
                    .hasMessageContaining("chat_template.jinja");
            return allocated() - before;
        });
        assertThat(used).isLessThan(3L << 30);
    }

    @Test
    void aHugeTemplateIsRefusedAtOnce() {
        String huge = "x".repeat(50 << 20);
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThatThrownBy(
                () -> HfChatTemplate.of("big.jinja", huge, Map.of())).isInstanceOf(TemplateException.class)
                .hasMessageContaining("big.jinja: the chat template has 52428800 characters"));
    }

    @Test
    void includeAndImportAreRefused() throws IOException {
        for (String tag : List.of("{% include 'META-INF/MANIFEST.MF' %}", "{% import 'macros.jinja' as m %}",
                "{% from 'macros.jinja' import m %}", "{% extends 'base.jinja' %}")) {
            HfChatTemplate template = fromFile("{{ bos_token }}" + tag + "{{ messages[0]['content'] }}");
            assertThatThrownBy(() -> template.renderPrompt(HELLO)).as(tag).isInstanceOf(TemplateException.class)
                    .hasMessageContaining("chat_template.jinja: a chat template includes nothing");
        }
    }

    @Test
    void raiseExceptionNamesTheFile() throws IOException {
        HfChatTemplate template = fromFile("{{ raise_exception('no system role') }}");
        assertThatThrownBy(() -> template.renderPrompt(HELLO)).isInstanceOf(TemplateException.class)
                .hasMessageContaining("chat_template.jinja").hasMessageContaining("no system role");
    }

    /** Bytes this thread has allocated so far (HotSpot's per-thread counter). */
    static long allocated() {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }
}
