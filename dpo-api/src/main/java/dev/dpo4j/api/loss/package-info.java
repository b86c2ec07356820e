/**
 * The contract of a preference loss: a {@code LossFunction} maps per-pair log-probabilities
 * ({@code PreferenceLogps}) to losses and implicit rewards ({@code LossOutput}), written with the graph-safe
 * arithmetic of {@code LossMath}. Needs DJL's {@code ai.djl:api}, which is optional in dpo-api (as does
 * {@code dev.dpo4j.api.arrays}); the built-in losses live in dpo-core.
 */
package dev.dpo4j.api.loss;
