/**
 * What a run trains, as one strategy ({@code TrainedModel}): every weight ({@code FullModel}) or LoRA adapters on a
 * frozen base ({@code lora.LoraModel}). Each supplies the weights the optimizer owns, each device's view of the policy,
 * its own reference, its checkpoint files and its saved output.
 */
package dev.dpo4j.core.trained;
