/**
 * LoRA (Hu et al., arXiv:2106.09685) as what a run trains ({@code LoraModel}, a {@code trained.TrainedModel}):
 * adapters on a frozen {@code CausalLm}, which linear layers they target ({@code LoraModule}), their float32 {@code A}
 * and {@code B} matrices ({@code LoraAdapters}), the {@code Weights} view that adds their update to the base's linear
 * layers ({@code LoraWeights}), each device's base plus adapters ({@code AdapterWeights}), and PEFT's folder layout
 * ({@code AdapterFolder}: {@code adapter_config.json} and {@code adapter_model.safetensors}).
 */
package dev.dpo4j.core.lora;
