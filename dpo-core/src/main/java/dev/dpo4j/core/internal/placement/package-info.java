/**
 * Not API: the placements of the optimizer's state, all of it on the run's first device ({@code OnFirstDevice}) or in
 * host memory ({@code InHostMemory}, {@code offload_optimizer}), what both share ({@code AdamWPlacement}), and the
 * device copies they make ({@code placement.DeviceWeights}): the float32 masters themselves
 * ({@code MasterWeights}), float16 or bfloat16 working copies ({@code HalfCopies}), or a mirror on another device
 * moved in runs of whole tensors ({@code MirrorWeights}, {@code FlatRuns}), stacked projections as one leaf
 * ({@code StackedLeaves}). Internal to dpo-core; may change in any release.
 */
package dev.dpo4j.core.internal.placement;
