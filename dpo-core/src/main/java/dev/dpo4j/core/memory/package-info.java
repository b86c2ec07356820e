/**
 * Memory estimates made before it is spent: the bytes one micro-batch keeps for backward, with every layer's graph
 * or with layers recomputed, for head chunks of given sizes ({@code Activations}, {@code HeadChunks}), from which
 * {@code scoring.RecomputePlan} decides {@code gradient_checkpointing=auto}; what the devices and the host have free
 * ({@code DeviceMemory}); the whole run's per-device estimate, with the optimizer state in host memory under
 * {@code offload_optimizer} ({@code MemoryInputs}, {@code MemoryEstimate}), and the refusal of a run that cannot fit
 * its GPUs or its host, naming the options that would ({@code MemoryCheck}).
 */
package dev.dpo4j.core.memory;
