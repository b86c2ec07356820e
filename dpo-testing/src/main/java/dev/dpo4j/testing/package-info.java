/**
 * For tests, not for training: tiny models that never download anything. {@code TinyModels} writes complete
 * Hugging Face model folders of a tiny Llama-family architecture and arithmetic preference pairs,
 * {@code RandomInit} random-initializes a model of any architecture from a seed, and {@code ByteLevelTokenizer}
 * writes a byte-level ChatML {@code tokenizer.json}. The {@code dpo-testing} artifact: dpo-core's own tests (which
 * compile these sources with theirs), the embedded default of the {@code dpo} command and users' tests build on it;
 * dpo-core's main code cannot see it.
 */
package dev.dpo4j.testing;
