package dev.dpo4j.core.lora;

import dev.dpo4j.api.options.Problems;
import dev.dpo4j.core.model.ModelConfig;
import java.util.List;

/**
 * LoRA adapters (Hu et al., arXiv:2106.09685), named and defaulted as TRL's {@code ModelConfig} and PEFT's
 * {@code LoraConfig}: the base weights stay frozen in the compute type, low-rank {@code A} and {@code B} matrices
 * beside the targeted linear layers are trained, and the reference is the base with the adapters switched off.
 * Build it from {@link #enabled()} with the {@code with...} methods.
 *
 * @param usePeft train LoRA adapters instead of every weight (false)
 * @param loraR the adapters' rank (16)
 * @param loraAlpha the adapters' scale numerator: the update is {@code (alpha / r) B A x} (32)
 * @param loraDropout dropout on the adapters' input while training (0.05); as TRL's DPOTrainer, {@code
 *     disable_dropout} sets it to 0 unless turned off
 * @param loraTargetModules the linear layers that get adapters: module names or name suffixes such as {@code q_proj}
 *     or {@code model.layers.0.mlp.up_proj}, or {@code all-linear} alone (every linear layer but the LM head); PEFT's
 *     default for Llama, Mistral and Qwen is {@code q_proj, v_proj}
 * @param useRslora rank-stabilized scaling {@code alpha / sqrt(r)} (Kalajdzievski, arXiv:2312.03732) instead of
 *     {@code alpha / r} (false)
 * @param mergeAdapters also save the merged model (base plus adapters) as a Hugging Face folder in the base's dtype,
 *     under {@code output_dir/merged} (false)
 * @param disableDropout TRL's {@code disable_dropout}: no dropout while training (true); dpo4j's models have no
 *     dropout of their own, so this governs {@code lora_dropout}
 */
public record LoraOptions(boolean usePeft, int loraR, int loraAlpha, double loraDropout,
        List<String> loraTargetModules, boolean useRslora, boolean mergeAdapters, boolean disableDropout) {

    /** The folder inside {@code output_dir} that {@code merge_adapters} writes the merged model into. */
    public static final String MERGED_FOLDER = "merged";
    /** Every linear layer but the LM head. */
    public static final String ALL_LINEAR = "all-linear";
    /** PEFT's and TRL's defaults, adapters off. */
    public static final LoraOptions DEFAULTS = new LoraOptions(false, 16, 32, 0.05, List.of("q_proj", "v_proj"),
            false, false, true);

    /** Checks ranges; the error lists every problem, each naming its option. */
    public LoraOptions {
        loraTargetModules = loraTargetModules == null ? null : List.copyOf(loraTargetModules);
        new Problems()
                .require(loraR >= 1, "lora_r must be at least 1, got " + loraR)
                .require(loraAlpha >= 1, "lora_alpha must be at least 1, got " + loraAlpha)
                .require(loraDropout >= 0 && loraDropout < 1, "lora_dropout must be in [0, 1), got " + loraDropout)
                .require(loraTargetModules != null && !loraTargetModules.isEmpty()
                        && loraTargetModules.stream().noneMatch(m -> m == null || m.isBlank()),
                        "lora_target_modules must name at least one module, got " + loraTargetModules)
                .require(loraTargetModules == null || !loraTargetModules.contains(ALL_LINEAR)
                        || loraTargetModules.size() == 1, "lora_target_modules: " + ALL_LINEAR
                        + " stands alone, got " + loraTargetModules)
                .require(!mergeAdapters || usePeft, "merge_adapters needs use_peft")
                .throwIfAny();
    }

    /** The defaults with adapters on: {@code use_peft}, r 16, alpha 32, {@code q_proj, v_proj}. */
    public static LoraOptions enabled() {
        return DEFAULTS.withUsePeft(true);
    }

    /** The adapters' scale: {@code alpha / r}, or {@code alpha / sqrt(r)} with {@code use_rslora}. */
    public double scaling() {
        return useRslora ? loraAlpha / Math.sqrt(loraR) : (double) loraAlpha / loraR;
    }

    /**
     * The adapters' trainable parameters on {@code config}: {@code A} (r x in) and {@code B} (out x r) per targeted
     * layer ({@link LoraModule#resolve}, which names a target that matches no layer).
     */
    public long adapterParameters(ModelConfig config) {
        return LoraModule.resolve(config, loraTargetModules).stream()
                .mapToLong(m -> loraR * (m.inFeatures() + m.outFeatures())).sum();
    }

    /** With or without adapters. */
    public LoraOptions withUsePeft(boolean value) {
        return new LoraOptions(value, loraR, loraAlpha, loraDropout, loraTargetModules, useRslora, mergeAdapters,
                disableDropout);
    }

    /** With rank {@code value}. */
    public LoraOptions withR(int value) {
        return new LoraOptions(usePeft, value, loraAlpha, loraDropout, loraTargetModules, useRslora, mergeAdapters,
                disableDropout);
    }

    /** With scale numerator {@code value}. */
    public LoraOptions withAlpha(int value) {
        return new LoraOptions(usePeft, loraR, value, loraDropout, loraTargetModules, useRslora, mergeAdapters,
                disableDropout);
    }

    /** With adapter dropout {@code value}. */
    public LoraOptions withDropout(double value) {
        return new LoraOptions(usePeft, loraR, loraAlpha, value, loraTargetModules, useRslora, mergeAdapters,
                disableDropout);
    }

    /** With these target modules ({@code all-linear} alone, or names and suffixes). */
    public LoraOptions withTargetModules(String... value) {
        return new LoraOptions(usePeft, loraR, loraAlpha, loraDropout, List.of(value), useRslora, mergeAdapters,
                disableDropout);
    }

    /** With or without rank-stabilized scaling. */
    public LoraOptions withRslora(boolean value) {
        return new LoraOptions(usePeft, loraR, loraAlpha, loraDropout, loraTargetModules, value, mergeAdapters,
                disableDropout);
    }

    /** Also saving the merged model, or not. */
    public LoraOptions withMergeAdapters(boolean value) {
        return new LoraOptions(usePeft, loraR, loraAlpha, loraDropout, loraTargetModules, useRslora, value,
                disableDropout);
    }

    /** With dropout disabled while training (TRL's default), or {@code lora_dropout} applied. */
    public LoraOptions withDisableDropout(boolean value) {
        return new LoraOptions(usePeft, loraR, loraAlpha, loraDropout, loraTargetModules, useRslora, mergeAdapters,
                value);
    }
}
