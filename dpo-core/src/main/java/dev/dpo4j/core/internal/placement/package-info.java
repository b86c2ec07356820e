/**
 * Not API: today's placement of the optimizer's state ({@code OnFirstDevice}: all of it on the run's first device)
 * and the device copies it makes ({@code placement.DeviceWeights}): the float32 masters themselves
 * ({@code MasterWeights}), float16 or bfloat16 working copies ({@code HalfCopies}), or a mirror on another device
 * moved in runs of whole tensors ({@code MirrorWeights}, {@code FlatRuns}), stacked projections as one leaf
 * ({@code StackedLeaves}). Internal to dpo-core; may change in any release.
 */
package dev.dpo4j.core.internal.placement;
