/**
 * The compute kernels training runs on (attention, the AdamW update, casts) behind one interface,
 * {@code Kernels}, with the pure-DJL implementation as the default; faster implementations plug in here. Beside them
 * the attention masks they read ({@code AttentionMask}) and their construction, causal, sliding-window and the block
 * masks of a shared prompt ({@code AttentionMasks}), and the lowest array helpers every other package may use:
 * autograd's switch and backward ({@code Autograd}) and in-place writes ({@code InPlace}).
 */
package dev.dpo4j.core.kernels;
