package dev.dpo4j.cli;

import dev.dpo4j.adapters.template.HfChatTemplate;
import dev.dpo4j.api.template.PromptTemplate;
import dev.dpo4j.hub.ModelFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The template step of a run: a built-in template by name, checked at once, or the model's own chat template, read
 * once the model folder is there; with the default system prompt when one is given.
 */
final class TemplateStep {

    private final String name;
    private final String systemPrompt;
    private final PromptTemplate builtIn;
    private String description;

    /** @throws UsageError naming the template when there is no built-in of that name */
    TemplateStep(CommandOptions.Input in) {
        this.name = in.template().strip().toLowerCase(Locale.ROOT);
        this.systemPrompt = in.systemPrompt();
        try {
            this.builtIn = name.equals("model") ? null : PromptTemplate.byName(in.template());
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
    }

    /** The template, reading the model's own from {@code tokenizerFiles} for {@code --template model}. */
    PromptTemplate resolve(Path tokenizerFiles) {
        PromptTemplate template = builtIn != null ? builtIn : HfChatTemplate.fromModelFolder(
                requireChatTemplate(tokenizerFiles));
        description = builtIn != null ? name : "the model's chat_template ("
                + (ModelFiles.chatTemplateFile(tokenizerFiles).isPresent() ? ModelFiles.CHAT_TEMPLATE
                        : ModelFiles.TOKENIZER_CONFIG) + ")";
        if (systemPrompt != null && !systemPrompt.isEmpty()) {
            template = new SystemPromptTemplate(template, systemPrompt);
            description += ", default system prompt \"" + systemPrompt + "\"";
        }
        return template;
    }

    /** What {@link #resolve} gave, for the report. */
    String description() {
        return description;
    }

    /** The model folder when it has a chat template file or a tokenizer config that may hold one. */
    private static Path requireChatTemplate(Path modelDir) {
        if (ModelFiles.chatTemplateFile(modelDir).isEmpty()
                && !Files.isRegularFile(modelDir.resolve(ModelFiles.TOKENIZER_CONFIG))) {
            throw new UsageError("--template model needs " + modelDir.resolve(ModelFiles.CHAT_TEMPLATE) + " or "
                    + modelDir.resolve(ModelFiles.TOKENIZER_CONFIG) + " with a chat_template");
        }
        return modelDir;
    }
}
