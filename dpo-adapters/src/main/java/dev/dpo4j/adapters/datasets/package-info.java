/**
 * The built-in dataset adapters, one per published schema: {@code orca_dpo_pairs}, {@code ultrafeedback_binarized},
 * {@code nectar} and TRL's generic prompt / chosen / rejected format, found by name or Hub id through
 * {@code DatasetAdapters}; {@code Conversations} reads chat-message lists out of rows.
 */
package dev.dpo4j.adapters.datasets;
