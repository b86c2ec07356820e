/**
 * Where the reference's log-probs come from ({@code ReferenceLogps}): a frozen model scored on the fly (a copy of the
 * starting policy, a model of its own, or a LoRA base with its adapters off), or a table computed once before
 * training ({@code precompute_ref_log_probs}), {@code precompute_ref_batch_size} pairs at a time, optionally kept
 * across runs in a folder keyed by the reference's content and each pair's token ids ({@code LogpsCache},
 * {@code ref_logps_cache_dir}).
 */
package dev.dpo4j.core.reference;
