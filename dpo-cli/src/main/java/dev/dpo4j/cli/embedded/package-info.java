/**
 * The embedded default of the {@code dpo} command, which trains without downloading anything: a tiny
 * Qwen2-architecture model random-initialized from a seed ({@code EmbeddedModel}), the preference pairs that ship
 * as a resource ({@code EmbeddedDataset}, made by {@code EmbeddedDatasetGenerator}) and the training options of that
 * run ({@code EmbeddedDefaults}).
 */
package dev.dpo4j.cli.embedded;
