/**
 * Not API: PyTorch's autograd switch and backward from any thread ({@code Autograd}), and the checkpointed
 * pass that recomputes each decoder layer in backward ({@code CheckpointedPass}). Internal to dpo-core; may change
 * in any release.
 */
package dev.dpo4j.core.internal.autograd;
