/**
 * LoRA adapters (Hu et al., arXiv:2106.09685) on a frozen {@code CausalLm}: which linear layers they target
 * ({@code LoraModule}), their float32 {@code A} and {@code B} matrices ({@code LoraAdapters}), the {@code Weights} view
 * that adds their update to the base's linear layers ({@code LoraWeights}), and PEFT's folder layout
 * ({@code AdapterFolder}: {@code adapter_config.json} and {@code adapter_model.safetensors}).
 */
package dev.dpo4j.core.lora;
