/**
 * Not API: mixed precision, the float16 or bfloat16 working copy of the policy ({@code HalfCopies}) and dynamic loss
 * scaling ({@code LossScaler}). Internal to dpo-core; may change in any release.
 */
package dev.dpo4j.core.internal.precision;
