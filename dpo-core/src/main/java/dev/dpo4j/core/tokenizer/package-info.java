/**
 * Text to token ids: the tokenizer interface the engine uses ({@code TextTokenizer}) and Hugging Face's
 * {@code tokenizer.json} with its special tokens ({@code HfTokenizer}).
 */
package dev.dpo4j.core.tokenizer;
