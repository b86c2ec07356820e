/**
 * Models that need no download: a transformers-style random initialization from a seed ({@code RandomInit}), the
 * byte-level ChatML tokenizer ({@code ByteLevelTokenizer}) and a complete model folder of both
 * ({@code RandomModelFolder}). The {@code dpo} command's embedded default and the {@code dpo-testing} fixtures build
 * on them.
 */
package dev.dpo4j.core.tiny;
