/**
 * Not API: how a worker reads the policy's weights and hands its gradients back ({@code DeviceWeights}): the
 * float32 masters themselves, float16 copies, or a mirror on another device moved in runs of whole tensors
 * ({@code MirrorWeights}, {@code FlatRuns}). Internal to dpo-core; may change in any release.
 */
package dev.dpo4j.core.internal.placement;
