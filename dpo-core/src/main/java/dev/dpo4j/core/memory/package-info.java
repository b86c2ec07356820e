/**
 * Memory estimates made before it is spent: the activations one micro-batch keeps for backward, with and without
 * gradient checkpointing ({@code Activations}), which decide {@code gradient_checkpointing=auto}.
 */
package dev.dpo4j.core.memory;
