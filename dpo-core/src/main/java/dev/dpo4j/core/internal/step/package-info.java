/**
 * Not API: one training step's owners. A {@code Worker} per device scores micro-batches against its reference
 * ({@code ReferenceLogps}) for training and evaluation; {@code Workers} runs them on their threads;
 * {@code PolicyOptimizer} and its {@code Step} own the update (unscale, clip, AdamW, refresh the workers) in an
 * order the types enforce. Internal to dpo-core; may change in any release.
 */
package dev.dpo4j.core.internal.step;
