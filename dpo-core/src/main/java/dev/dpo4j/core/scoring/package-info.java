/**
 * The scoring pass: completion log-probs of a padded batch under a model, where the model meets the data, so neither
 * needs the other. {@code CompletionScorer} is the entry (scoring without a graph, and a training micro-batch's
 * forward and backward); {@code Decoder} holds the pass's context and the one loop over the decoder layers;
 * {@code LmHead} the final norm and LM head over completion tokens in chunks, with each chunk's
 * {@code TokenStatistics} (entropy, argmax hits, WPO's aligned log-probs; no logits kept); {@code RecomputingPass} the
 * backward that recomputes the lowest layers; and {@code RecomputePlan} the one place that decides what is recomputed
 * ({@code gradient_checkpointing}, from the activation budget) and how large the head chunks are. Recomputing here is
 * what TRL calls gradient checkpointing; saved training checkpoints are package {@code checkpoint}'s.
 */
package dev.dpo4j.core.scoring;
