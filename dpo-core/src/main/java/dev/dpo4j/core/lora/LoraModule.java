package dev.dpo4j.core.lora;

import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.ModelConfig;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A linear layer that carries an adapter: its Hugging Face module name and its input and output widths; {@code A}
 * is {@code (r, inFeatures)}, {@code B} is {@code (outFeatures, r)}.
 *
 * @param name the module, such as {@code model.layers.0.self_attn.q_proj}
 * @param inFeatures the layer's input width
 * @param outFeatures the layer's output width
 */
public record LoraModule(String name, long inFeatures, long outFeatures) {

    /** The name of its {@code A} matrix, {@code NAME.lora_A.weight}. */
    public String aName() {
        return name + ".lora_A.weight";
    }

    /** The name of its {@code B} matrix, {@code NAME.lora_B.weight}. */
    public String bName() {
        return name + ".lora_B.weight";
    }

    /**
     * The linear layers of {@code config} that {@code targets} name, in the model's order. A target matches a module
     * as in PEFT: the module's name equals it or ends with {@code "." + target}; {@code all-linear} is every linear
     * layer of the decoder (the LM head excluded).
     *
     * @throws IllegalArgumentException naming a target that matches no layer and listing the model's linear layers
     */
    public static List<LoraModule> resolve(ModelConfig config, List<String> targets) {
        List<LoraModule> linear = linearLayers(config);
        boolean all = targets.equals(List.of(LoraOptions.ALL_LINEAR));
        List<String> unmatched = new ArrayList<>();
        if (!all) {
            targets.stream().filter(t -> linear.stream().noneMatch(m -> m.matches(t))).forEach(unmatched::add);
        }
        if (!unmatched.isEmpty()) {
            throw new IllegalArgumentException("lora_target_modules: " + String.join(", ", unmatched)
                    + " matches no linear layer of this " + config.modelType() + " model; its linear layers are "
                    + String.join(", ", shortNames(linear)) + " (in every decoder layer), or " + LoraOptions.ALL_LINEAR);
        }
        return all ? linear : linear.stream().filter(m -> targets.stream().anyMatch(m::matches)).toList();
    }

    /** Whether {@code target} names this module: equal, or a dotted suffix of its name. */
    boolean matches(String target) {
        return name.equals(target) || name.endsWith("." + target);
    }

    /** The last part of the name, {@code q_proj}. */
    public String shortName() {
        return name.substring(name.lastIndexOf('.') + 1);
    }

    /** Every linear layer inside the decoder layers ({@link CausalLm#projections}), in the model's order. */
    static List<LoraModule> linearLayers(ModelConfig config) {
        List<LoraModule> modules = new ArrayList<>();
        CausalLm.projections(config).forEach((name, shape) -> modules.add(new LoraModule(name, shape.get(1),
                shape.get(0))));
        return modules;
    }

    /** The distinct short names of {@code modules}, in order. */
    static Set<String> shortNames(List<LoraModule> modules) {
        Set<String> names = new LinkedHashSet<>();
        modules.forEach(m -> names.add(m.shortName()));
        return names;
    }
}
