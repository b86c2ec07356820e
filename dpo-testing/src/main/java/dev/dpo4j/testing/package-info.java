/**
 * For tests, not for training: tiny models that never download anything. {@code TinyModels} writes complete
 * Hugging Face model folders of a tiny Llama-family architecture and arithmetic preference pairs,
 * {@code RandomInit} random-initializes a model of any architecture from a seed, and {@code ByteLevelTokenizer}
 * writes a byte-level ChatML {@code tokenizer.json}, the last two (and the model folder writer) delegating to dpo-core's
 * {@code dev.dpo4j.core.tiny}, which the embedded default of the {@code dpo} command uses; {@code TrainedWeights}
 * asserts that a run trained at all, and that two runs agree. The {@code dpo-testing}
 * artifact: dpo-core's own tests (which compile these sources with theirs) and users' tests build on it; dpo-core's
 * main code cannot see it.
 */
package dev.dpo4j.testing;
