/**
 * Text to token ids: the tokenizer interface the engine uses ({@code TextTokenizer}), Hugging Face's
 * {@code tokenizer.json} with its special tokens ({@code HfTokenizer}), and a byte-level tokenizer that writes such
 * files for tiny test models ({@code ByteLevelTokenizer}).
 */
package dev.dpo4j.core.tokenizer;
