/**
 * The compute kernels training runs on (attention, the AdamW update, casts) behind one interface,
 * {@code Kernels}, with the pure-DJL implementation as the default; faster implementations plug in here.
 */
package dev.dpo4j.core.kernels;
