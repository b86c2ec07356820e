/**
 * The trainer: {@code DpoTrainer} (built immutable by its builder), its options {@code DpoConfig} in TRL's names,
 * and the run that prepares data, model, references, optimizer and workers and drives epochs, steps, logging,
 * evaluation and saving, then writes the model card and, with {@code push_to_hub}, pushes the saved model to the Hub.
 */
package dev.dpo4j.core.train;
