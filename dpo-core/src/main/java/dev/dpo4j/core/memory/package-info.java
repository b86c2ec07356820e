/**
 * Memory estimates made before it is spent: the bytes one micro-batch keeps for backward, with every layer's graph
 * or with layers recomputed, for head chunks of given sizes ({@code Activations}, {@code HeadChunks}), from which
 * {@code scoring.RecomputePlan} decides {@code gradient_checkpointing=auto}; what the devices have free
 * ({@code DeviceMemory}); the whole run's per-device estimate ({@code MemoryInputs}, {@code MemoryEstimate}), and the
 * refusal of a run that cannot fit, naming the options that would ({@code MemoryCheck}).
 */
package dev.dpo4j.core.memory;
