package dev.dpo4j.adapters.template;

/** Functions transformers adds to chat templates, exposed to Jinjava. */
public final class TemplateFunctions {

    private TemplateFunctions() {
    }

    /** {@code raise_exception(message)}: fails the rendering with the template's message. */
    public static String raiseException(String message) {
        throw new HfChatTemplate.TemplateException(message);
    }
}
