package dev.dpo4j.adapters.template;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import dev.dpo4j.api.data.ChatMessage;
import dev.dpo4j.api.data.ChatPrompt;
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
import java.util.Set;
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
 *
 * <p>A template is untrusted input, so rendering is bounded: the template's source at most
 * {@link #MAX_TEMPLATE_CHARS} characters, one render at most {@link #MAX_NODES} template nodes,
 * {@link #MAX_RENDER_MILLIS} milliseconds and {@link #MAX_OUTPUT_CHARS} characters of output (strings inside it as
 * well), {@code range} at most {@link #MAX_RANGE} numbers, and a template includes nothing ({@code include},
 * {@code import}, {@code from} and {@code extends} are refused). Every error names the template's source.
 */
public final class HfChatTemplate implements PromptTemplate {

    /** The longest template source accepted (256 Ki characters; real chat templates are under 32 Ki). */
    public static final int MAX_TEMPLATE_CHARS = 1 << 18;

    /** The most template nodes one render may visit (a loop body counts once per iteration). */
    public static final long MAX_NODES = 1_000_000;

    /** The longest one render may take. */
    public static final long MAX_RENDER_MILLIS = 10_000;

    /** The most characters of output, and of any string, one render may make (2^27, above any row's text). */
    public static final long MAX_OUTPUT_CHARS = 1L << 27;

    /** The most numbers {@code range} gives. */
    public static final int MAX_RANGE = 10_000;

    private static final int MAX_ERRORS = 100;

    private static final Set<String> INCLUDING_TAGS = Set.of("include", "import", "from", "extends", "include_raw",
            "import_resource");

    private static final List<ChatMessage> REFERENCE = List.of(ChatMessage.user("Hello"));

    private final String source;
    private final String template;
    private final Map<String, Object> variables;
    private final Jinjava jinjava;
    private final ThreadLocal<RenderBudget> budget = new ThreadLocal<>();

    /** What one render has left: nodes and time. */
    private static final class RenderBudget {
        private final long deadline = System.nanoTime() + MAX_RENDER_MILLIS * 1_000_000L;
        private long nodes;
    }

    private HfChatTemplate(String source, String template, Map<String, Object> variables) {
        this.source = source;
        if (template.length() > MAX_TEMPLATE_CHARS) {
            throw new TemplateException(source + ": the chat template has " + template.length()
                    + " characters, more than the " + MAX_TEMPLATE_CHARS + " accepted");
        }
        this.template = template.endsWith("\n") ? template.substring(0, template.length() - 1) : template;
        this.variables = Map.copyOf(variables);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withMaxOutputSize(MAX_OUTPUT_CHARS)
                .withMaxStringLength(MAX_OUTPUT_CHARS)
                .withRangeLimit(MAX_RANGE)
                .withNodePreProcessor(this::visit)
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
        jinjava.setResourceLocator((name, encoding, interpreter) -> {
            throw new TemplateException(source + ": a chat template includes nothing, but it asks for '" + name
                    + "'");
        });
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
                TemplateFunctions.class, "raiseException", String.class));
    }

    /** Counts the node against this render's budget and refuses tags that would include another template. */
    private void visit(Node node, JinjavaInterpreter interpreter) {
        if (node instanceof TagNode tag && INCLUDING_TAGS.contains(tag.getTag().getName())) {
            throw new TemplateException(source + ": a chat template includes nothing, but it has {% "
                    + tag.getTag().getName() + " %} on line " + node.getLineNumber());
        }
        RenderBudget left = budget.get();
        if (left == null) {
            return;
        }
        Optional<TemplateError> last = interpreter.getLastError();
        if (last.isPresent() && last.get().getSeverity() == TemplateError.ErrorType.FATAL) {
            // stop at the first fatal error (raise_exception, say) instead of rendering on and collecting more
            for (Throwable t = last.get().getException(); t != null && t.getCause() != t; t = t.getCause()) {
                if (t instanceof TemplateException e) {
                    throw named(e);
                }
            }
            throw new TemplateException(source + ": chat template failed: " + last.get().getMessage());
        }
        if (interpreter.getErrors().size() > MAX_ERRORS) {
            throw new TemplateException(source + ": rendering the chat template gave more than " + MAX_ERRORS
                    + " errors, the last: " + last.map(TemplateError::getMessage).orElse(""));
        }
        if (++left.nodes > MAX_NODES) {
            throw new TemplateException(source + ": rendering the chat template took more than " + MAX_NODES
                    + " steps (line " + node.getLineNumber() + ")");
        }
        if ((left.nodes & 0xFF) == 0 && System.nanoTime() - left.deadline > 0) {
            throw new TemplateException(source + ": rendering the chat template took more than "
                    + MAX_RENDER_MILLIS + " ms (line " + node.getLineNumber() + ")");
        }
    }

    /** A template string with the special-token variables it uses ({@code bos_token} etc.). */
    public static HfChatTemplate of(String template, Map<String, ?> specialTokens) {
        return of("the chat template", template, specialTokens);
    }

    /** Same, naming where the template came from (a file) in every error. */
    public static HfChatTemplate of(String source, String template, Map<String, ?> specialTokens) {
        Objects.requireNonNull(template, "template");
        Map<String, Object> vars = new HashMap<>();
        specialTokens.forEach((k, v) -> {
            if (v != null) {
                vars.put(k, v);
            }
        });
        return new HfChatTemplate(source, template, vars);
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
        String source = config.toString();
        if (file.isPresent()) {
            source = file.get().toString();
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
        return of(source, template, specialTokens(json));
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
        return of(tokenizerConfig.toString(), template, specialTokens(config));
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

    /**
     * Renders the conversation as {@code apply_chat_template(messages, add_generation_prompt=...)} would; a
     * {@link ChatPrompt} also passes its row's {@code tools} and {@code chat_template_kwargs}, as TRL 1.9 does.
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        Map<String, Object> context = new HashMap<>(variables);
        context.putAll(ChatPrompt.variablesOf(messages));
        List<Map<String, Object>> list = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role());
            map.put("content", m.content());
            map.putAll(m.fields());
            list.add(map);
        }
        context.put("messages", list);
        context.put("add_generation_prompt", addGenerationPrompt);
        RenderResult result;
        budget.set(new RenderBudget());
        try {
            result = jinjava.renderForResult(template, context);
        } catch (TemplateException e) {
            throw named(e);
        } catch (RuntimeException | StackOverflowError e) {
            throw new TemplateException(source + ": chat template failed: " + e, e);
        } finally {
            budget.remove();
        }
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                String message = error.getMessage();
                for (Throwable t = error.getException(); t != null && t.getCause() != t; t = t.getCause()) {
                    if (t instanceof TemplateException e) {
                        throw named(e);
                    }
                }
                throw new TemplateException(source + ": chat template failed: " + message + errorsOf(result));
            }
        }
        return result.getOutput();
    }

    /** The exception, its message starting with the template's source. */
    private TemplateException named(TemplateException e) {
        return e.getMessage() != null && e.getMessage().startsWith(source) ? e
                : new TemplateException(source + ": " + e.getMessage(), e);
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
        return renderCompletion(prompt, List.of(ChatMessage.assistant(completion)));
    }

    /**
     * What the template appends after {@code renderPrompt(prompt)} for a completion of one or more messages (tool
     * calls, their results, the answer), as TRL cuts {@code apply_chat_template(prompt + completion)}.
     *
     * @throws TemplateException when the full conversation does not start with the rendered prompt
     */
    @Override
    public String renderCompletion(List<ChatMessage> prompt, List<ChatMessage> completion) {
        String head = render(prompt, true);
        List<ChatMessage> full = new ArrayList<>(prompt);
        full.addAll(completion);
        String whole = render(ChatPrompt.withMessagesOf(prompt, full), false);
        if (!whole.startsWith(head)) {
            throw new TemplateException(source + ": the chat template does not render the conversation with the answer as the "
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

        /** Creates it with its cause. */
        public TemplateException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
