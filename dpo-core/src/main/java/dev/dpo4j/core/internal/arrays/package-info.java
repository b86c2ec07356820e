/**
 * Not API: in-place writes that replace every element, inf and NaN included ({@code InPlace}). Internal to
 * dpo-core; may change in any release.
 */
package dev.dpo4j.core.internal.arrays;
