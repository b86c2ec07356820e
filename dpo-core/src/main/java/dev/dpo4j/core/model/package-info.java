/**
 * The Llama-family decoder ({@code CausalLm}): its architecture ({@code ModelConfig}) and shared blocks
 * ({@code TransformerBlock}, {@code CausalSelfAttention}, {@code MlpBlock}, {@code RmsNorm},
 * {@code RotaryEmbedding}), each owning its Hugging Face weight names, read through a {@code Weights} view. Knows
 * nothing of checkpoints, data or losses.
 */
package dev.dpo4j.core.model;
