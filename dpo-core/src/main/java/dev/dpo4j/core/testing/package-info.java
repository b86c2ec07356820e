/**
 * For tests, not for training: tiny models that never download anything. {@code TinyModels} writes complete
 * Hugging Face model folders of a tiny Llama-family architecture and arithmetic preference pairs,
 * {@code RandomInit} random-initializes a model of any architecture from a seed, and {@code ByteLevelTokenizer}
 * writes a byte-level ChatML {@code tokenizer.json}. dpo-core's own tests, the embedded default of the {@code dpo}
 * command and users' tests build on it; no other package of dpo-core depends on it.
 */
package dev.dpo4j.core.testing;
