/**
 * A model's own Jinja {@code chat_template} from its {@code tokenizer_config.json}, rendered with Jinjava as
 * transformers' {@code apply_chat_template} renders it ({@code HfChatTemplate}, with the functions transformers adds
 * in {@code TemplateFunctions}), so a model is trained in the format it is served with.
 */
package dev.dpo4j.adapters.template;
