/**
 * NDArray helpers shared by losses and the engine: {@code Scalars}, numbers that live as long as the autograd graph
 * that uses them. Loss authors reach them through {@code dev.dpo4j.api.loss.LossMath} first.
 */
package dev.dpo4j.api.arrays;
