package dev.dpo4j.core.lora;

import dev.dpo4j.api.options.Option;
import dev.dpo4j.api.options.OptionRecords;
import dev.dpo4j.api.options.OptionRef;
import dev.dpo4j.core.model.ModelConfig;
import java.util.List;

/**
 * LoRA adapters (Hu et al., arXiv:2106.09685), named and defaulted as TRL's {@code ModelConfig} and PEFT's
 * {@code LoraConfig}: the base weights stay frozen in the compute type, low-rank {@code A} and {@code B} matrices
 * beside the targeted linear layers are trained, and the reference is the base with the adapters switched off.
 * Build it from {@link #enabled()} and {@link #with}, or through the trainer's builder; dpo4j's models have no dropout
 * of their own, so {@code disable_dropout} governs {@code lora_dropout}.
 */
public record LoraOptions(
        @Option(doc = "Whether to use PEFT for training: LoRA adapters on the frozen base weights instead of every "
                + "weight; the output is a PEFT adapter folder.", value = "false")
        boolean usePeft,
        @Option(doc = "LoRA R value: the adapters' rank.", value = "16", label = "R", min = 1)
        int loraR,
        @Option(doc = "LoRA alpha: the adapters' update is scaled by lora_alpha / r.", value = "32", label = "A",
                min = 1)
        int loraAlpha,
        @Option(doc = "LoRA dropout on the adapters' input, in effect with --disable_dropout false.", value = "0.05",
                label = "P", min = 0, max = 1, maxExclusive = true)
        double loraDropout,
        @Option(doc = "LoRA target modules, comma-separated: linear layer names or suffixes (q_proj, k_proj, v_proj, "
                + "o_proj, gate_proj, up_proj, down_proj), or all-linear alone (every linear layer but the LM head).",
                value = "q_proj,v_proj", label = "NAME")
        List<String> loraTargetModules,
        @Option(doc = "Whether to use Rank-Stabilized LoRA, which sets the adapter scaling factor to "
                + "lora_alpha/sqrt(r), instead of the original default value of lora_alpha/r.", value = "false")
        boolean useRslora,
        @Option(doc = "Also save the base with the adapters merged in, a Hugging Face model in the base's dtype, "
                + "under --output_dir/merged (needs --use_peft).", value = "false")
        boolean mergeAdapters,
        @Option(doc = "Whether to disable dropout in the model and reference model; dpo4j's models have none of their "
                + "own, so this sets --lora_dropout to 0 while training.", value = "true")
        boolean disableDropout) {

    /** The folder inside {@code output_dir} that {@code merge_adapters} writes the merged model into. */
    public static final String MERGED_FOLDER = "merged";
    /** Every linear layer but the LM head. */
    public static final String ALL_LINEAR = "all-linear";
    /** PEFT's and TRL's defaults, adapters off. */
    public static final LoraOptions DEFAULTS = OptionRecords.defaults(LoraOptions.class);

    /** Checks ranges; the error lists every problem, each naming its option. */
    public LoraOptions {
        loraTargetModules = loraTargetModules == null ? null : List.copyOf(loraTargetModules);
        OptionRecords.check(LoraOptions.class, usePeft, loraR, loraAlpha, loraDropout, loraTargetModules, useRslora,
                        mergeAdapters, disableDropout)
                .require(loraTargetModules == null || !loraTargetModules.isEmpty()
                        && loraTargetModules.stream().noneMatch(String::isBlank),
                        "lora_target_modules must name at least one module, got " + loraTargetModules)
                .require(loraTargetModules == null || !loraTargetModules.contains(ALL_LINEAR)
                        || loraTargetModules.size() == 1, "lora_target_modules: " + ALL_LINEAR
                        + " stands alone, got " + loraTargetModules)
                .require(!mergeAdapters || usePeft, "merge_adapters needs use_peft")
                .throwIfAny();
    }

    /** These options with the one {@code option} reads set to {@code value}: {@code with(LoraOptions::loraR, 8)}. */
    public <T> LoraOptions with(OptionRef<LoraOptions, T> option, T value) {
        return OptionRecords.with(this, option, value);
    }

    /** The defaults with adapters on: {@code use_peft}, r 16, alpha 32, {@code q_proj, v_proj}. */
    public static LoraOptions enabled() {
        return DEFAULTS.with(LoraOptions::usePeft, true);
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
}
