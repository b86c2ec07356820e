package dev.dpo4j.adapters.template;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import dev.dpo4j.api.data.ChatMessage;
import dev.dpo4j.api.template.PromptTemplate;
import dev.dpo4j.hub.ModelFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A model's own Jinja {@code chat_template} (its {@code chat_template.jinja}, else the entry in its
 * {@code tokenizer_config.json}) rendered with Jinjava the way
 * transformers' {@code apply_chat_template} does: {@code trim_blocks} and {@code lstrip_blocks} on, one trailing
 * newline of the template dropped, {@code messages}, {@code add_generation_prompt}, the config's special tokens
 * ({@code bos_token}, {@code eos_token}, ...) and {@code raise_exception} in scope.
 *
 * <p>{@link #renderPrompt} renders with {@code add_generation_prompt=true}. A completion is what the template adds
 * for the assistant turn after that prompt, as TRL computes it: {@code render(messages + [assistant(c)], false)} minus
 * the prefix {@code render(messages, true)}. For ChatML/Qwen that is {@code c + "<|im_end|>\n"} (the template closes
 * every turn with a newline, and the newline is part of the trained sequence as in TRL); for Llama 3 it is
 * {@code c.strip() + "<|eot_id|>"}. {@link #renderCompletion(String)} computes this against a one-turn reference
 * conversation; {@link #renderCompletion(List, String)} against the real prompt.
 */
public final class HfChatTemplate implements PromptTemplate {

    private static final List<ChatMessage> REFERENCE = List.of(ChatMessage.user("Hello"));

    private final String template;
    private final Map<String, Object> variables;
    private final Jinjava jinjava;

    private HfChatTemplate(String template, Map<String, Object> variables) {
        this.template = template.endsWith("\n") ? template.substring(0, template.length() - 1) : template;
        this.variables = Map.copyOf(variables);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withFailOnUnknownTokens(false)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUseTrimmingForNotesAndExpressions(true) // {{- ... -}} as in Jinja2
                        .withParseWhitespaceControlStrictly(true)
                        .withUseNaturalOperatorPrecedence(true)
                        .build())
                .build();
        this.jinjava = new Jinjava(config);
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
                TemplateFunctions.class, "raiseException", String.class));
    }

    /** A template string with the special-token variables it uses ({@code bos_token} etc.). */
    public static HfChatTemplate of(String template, Map<String, ?> specialTokens) {
        Objects.requireNonNull(template, "template");
        Map<String, Object> vars = new HashMap<>();
        specialTokens.forEach((k, v) -> {
            if (v != null) {
                vars.put(k, v);
            }
        });
        return new HfChatTemplate(template, vars);
    }

    /**
     * The chat template of a Hugging Face model folder, with transformers' precedence: a separate
     * {@code chat_template.jinja} wins over the {@code chat_template} entry of {@code tokenizer_config.json}; the
     * special tokens come from {@code tokenizer_config.json} when the folder has one.
     *
     * @throws IllegalArgumentException naming the folder when it has neither template
     */
    public static HfChatTemplate fromModelFolder(Path folder) {
        Path config = folder.resolve(ModelFiles.TOKENIZER_CONFIG);
        JsonObject json = Files.isRegularFile(config) ? readJson(config) : new JsonObject();
        Optional<Path> file = ModelFiles.chatTemplateFile(folder);
        String template;
        if (file.isPresent()) {
            try {
                template = Files.readString(file.get(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file.get(), e);
            }
        } else {
            template = templateEntry(json);
            if (template == null) {
                throw new IllegalArgumentException(folder + " has no chat template: neither "
                        + ModelFiles.CHAT_TEMPLATE + " nor a chat_template string in " + ModelFiles.TOKENIZER_CONFIG);
            }
        }
        return of(template, specialTokens(json));
    }

    /**
     * Reads {@code chat_template} and the special tokens ({@code *_token} entries, strings or {@code {content: ...}}
     * objects) from a {@code tokenizer_config.json}; {@link #fromModelFolder} also finds a
     * {@code chat_template.jinja}.
     *
     * @throws IllegalArgumentException when the file has no usable {@code chat_template}
     */
    public static HfChatTemplate fromTokenizerConfig(Path tokenizerConfig) {
        JsonObject config = readJson(tokenizerConfig);
        String template = templateEntry(config);
        if (template == null) {
            throw new IllegalArgumentException(tokenizerConfig + " has no chat_template string");
        }
        return of(template, specialTokens(config));
    }

    private static JsonObject readJson(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        try {
            return JsonParser.parseString(text).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new IllegalArgumentException(file + " is not a JSON object: " + e.getMessage(), e);
        }
    }

    /** The {@code chat_template} string, or the template named "default" of a list of them; null when none. */
    private static String templateEntry(JsonObject config) {
        JsonElement chat = config.get("chat_template");
        String template = null;
        if (chat != null && chat.isJsonPrimitive()) {
            template = chat.getAsString();
        } else if (chat != null && chat.isJsonArray()) {
            for (JsonElement named : chat.getAsJsonArray()) {
                JsonObject o = named.getAsJsonObject();
                if ("default".equals(o.get("name").getAsString())) {
                    template = o.get("template").getAsString();
                }
            }
        }
        return template;
    }

    private static Map<String, Object> specialTokens(JsonObject config) {
        Map<String, Object> tokens = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> entry : config.entrySet()) {
            JsonElement value = entry.getValue();
            if (!entry.getKey().endsWith("_token") || value.isJsonNull()) {
                continue;
            }
            if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isString()) {
                tokens.put(entry.getKey(), value.getAsString());
            } else if (value.isJsonObject() && value.getAsJsonObject().has("content")) {
                tokens.put(entry.getKey(), value.getAsJsonObject().get("content").getAsString());
            }
        }
        return tokens;
    }

    /** Renders the conversation as {@code apply_chat_template(messages, add_generation_prompt=...)} would. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        Map<String, Object> context = new HashMap<>(variables);
        List<Map<String, Object>> list = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role());
            map.put("content", m.content());
            list.add(map);
        }
        context.put("messages", list);
        context.put("add_generation_prompt", addGenerationPrompt);
        RenderResult result = jinjava.renderForResult(template, context);
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                String message = error.getMessage();
                for (Throwable t = error.getException(); t != null && t.getCause() != t; t = t.getCause()) {
                    if (t instanceof TemplateException) {
                        throw (TemplateException) t;
                    }
                }
                throw new TemplateException("chat template failed: " + message + errorsOf(result));
            }
        }
        return result.getOutput();
    }

    private static String errorsOf(RenderResult result) {
        return result.getErrors().isEmpty() ? "" : " " + result.getErrors().stream()
                .map(TemplateError::getMessage).collect(Collectors.toList());
    }

    @Override
    public String renderPrompt(List<ChatMessage> messages) {
        return render(messages, true);
    }

    @Override
    public String renderCompletion(String completion) {
        return renderCompletion(REFERENCE, completion);
    }

    /**
     * What the template appends after {@code renderPrompt(prompt)} when the assistant answers {@code completion}.
     *
     * @throws TemplateException when the full conversation does not start with the rendered prompt
     */
    @Override
    public String renderCompletion(List<ChatMessage> prompt, String completion) {
        String head = render(prompt, true);
        List<ChatMessage> full = new ArrayList<>(prompt);
        full.add(ChatMessage.assistant(completion));
        String whole = render(full, false);
        if (!whole.startsWith(head)) {
            throw new TemplateException("the chat template does not render the conversation with the answer as the "
                    + "prompt followed by more text, so the completion cannot be cut out: prompt " + quote(head)
                    + ", whole " + quote(whole));
        }
        return whole.substring(head.length());
    }

    private static String quote(String s) {
        return '"' + s.replace("\n", "\\n") + '"';
    }

    /** A chat template that failed to render or cannot be split into prompt and completion. */
    public static final class TemplateException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /** Creates it. */
        public TemplateException(String message) {
            super(message);
        }
    }
}
