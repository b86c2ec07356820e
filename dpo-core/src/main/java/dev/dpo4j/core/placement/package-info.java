/**
 * Where the optimizer's state lives: the seam ({@code StatePlacement}) between the trained weights' float32 masters,
 * gradients and moments and each device's copy of the weights ({@code DeviceWeights}). Today's placement keeps the
 * whole state on the first device ({@code internal.placement.OnFirstDevice}); a placement sharded across ranks (ZeRO-1/2)
 * or kept in host memory (ZeRO-Offload) plugs in here without touching the workers or what is trained.
 */
package dev.dpo4j.core.placement;
