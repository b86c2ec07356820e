/**
 * The trainer: {@code DpoTrainer} (built immutable by its builder), its options {@code DpoConfig} in TRL's names,
 * and the run that prepares data, model, references, optimizer and workers and drives epochs, steps, logging,
 * evaluation and saving.
 */
package dev.dpo4j.core.train;
