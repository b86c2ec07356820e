/**
 * Not API: one training step's owners, above every other package but {@code train}. A {@code Worker} per device
 * scores micro-batches against its reference ({@code reference.ReferenceLogps}) for training and evaluation, reading
 * the policy through its {@code placement.DeviceWeights}, its {@code MicroBatchOutcome} weighting each pair's loss as
 * WPO when asked ({@code PairWeights}); {@code Workers} makes them from what is trained and where the
 * optimizer's state lives, and runs them on their threads; {@code PolicyOptimizer} and its {@code Step} own the update
 * (unscale, clip, AdamW, refresh the workers) in an order the types enforce. Internal to dpo-core; may change in any
 * release.
 */
package dev.dpo4j.core.internal.step;
