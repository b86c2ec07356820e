/**
 * Completion log-probs of a padded batch under a model ({@code CompletionScorer}): where the model meets the
 * data, so neither needs the other.
 */
package dev.dpo4j.core.scoring;
