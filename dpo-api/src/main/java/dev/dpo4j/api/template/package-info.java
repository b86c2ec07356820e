/**
 * Prompt templates: how a conversation and a completion become the text a model is trained on
 * ({@code PromptTemplate}), with the built-ins ChatML, Llama 3 and Zephyr ({@code TurnTemplate}), Llama 2's
 * {@code [INST]} ({@code InstTemplate}) and no markup ({@code PlainTemplate}).
 */
package dev.dpo4j.api.template;
