/**
 * Where the optimizer's state lives: the seam ({@code StatePlacement}) between the trained weights' float32 masters,
 * gradients and moments and each device's copy of the weights ({@code DeviceWeights}). The placements are in
 * {@code internal.placement}: the whole state on the first device ({@code OnFirstDevice}), or in host memory
 * ({@code InHostMemory}, {@code offload_optimizer}, DeepSpeed's ZeRO-Offload); one sharded across ranks (ZeRO-1/2)
 * plugs in here too, without touching the workers or what is trained.
 */
package dev.dpo4j.core.placement;
