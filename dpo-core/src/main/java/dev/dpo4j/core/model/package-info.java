/**
 * The Llama-family decoder's architecture ({@code CausalLm}): its config ({@code ModelConfig}), weights and pieces,
 * the embedding, each decoder layer ({@code TransformerBlock}, {@code CausalSelfAttention}, {@code MlpBlock}), the
 * final {@code RmsNorm}, the LM head and the rotary tables ({@code RotaryEmbedding}), each owning its Hugging Face
 * weight names, read through a {@code Weights} view, with what its layers share in a pass ({@code ForwardContext}).
 * The pass that runs them over a batch lives in {@code scoring}, the attention masks in {@code kernels}. Knows nothing
 * of checkpoints, data or losses.
 */
package dev.dpo4j.core.model;
