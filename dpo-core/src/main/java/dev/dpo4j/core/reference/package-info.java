/**
 * Where the reference's log-probs come from ({@code ReferenceLogps}): a frozen model scored on the fly (a copy of the
 * starting policy, a model of its own, or a LoRA base with its adapters off), or a table computed once before
 * training ({@code precompute_ref_log_probs}).
 */
package dev.dpo4j.core.reference;
