/**
 * Memory estimates made before it is spent: the activations one micro-batch keeps for backward, with and without
 * gradient checkpointing ({@code Activations}), which decide {@code gradient_checkpointing=auto}; the whole run's
 * per-device estimate ({@code MemoryInputs}, {@code MemoryEstimate}), and the refusal of a run that cannot fit,
 * naming the options that would ({@code MemoryCheck}).
 */
package dev.dpo4j.core.memory;
