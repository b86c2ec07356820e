package dev.dpo4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;
import java.util.List;

/**
 * Looks up a model weight by its Hugging Face name, in the data type the forward pass computes in. Plain
 * training returns the float32 master weights themselves; mixed precision returns per-step float16 copies.
 *
 * <p>Every linear projection of the model (attention {@code q/k/v/o_proj}, MLP {@code gate/up/down_proj} and the LM
 * head) goes through {@link #linear}, named by its module, such as {@code model.layers.0.self_attn.q_proj}. That is
 * the seam for adapters: a LoRA view keeps the base weights frozen and overrides {@code linear} for its target
 * modules to add its trainable low-rank update, {@code input A^T B^T * scale}, to the default result, delegating to
 * the default for every other module, so the blocks never change.
 */
@FunctionalInterface
public interface Weights {

    /** The weight with this name; fails naming it when absent. */
    NDArray get(String name);

    /**
     * Applies the linear module {@code module} to {@code input}: {@code input @ W^T}, plus the bias when
     * {@code withBias}, with {@code W} the weight {@link #weightOf(String) module.weight} and the bias
     * {@link #biasOf(String) module.bias}.
     *
     * @param module the module's Hugging Face name, such as {@code model.layers.0.mlp.up_proj}
     * @param withBias whether the module has a bias (for attention projections, the config's {@code attention_bias})
     */
    default NDArray linear(String module, NDArray input, boolean withBias) {
        NDArray weight = get(weightOf(module));
        NDArray bias = withBias ? get(biasOf(module)) : null;
        return (bias == null ? Linear.linear(input, weight) : Linear.linear(input, weight, bias)).singletonOrThrow();
    }

    /**
     * Applies linear modules that read the same input, such as {@code q/k/v_proj}: their outputs, in order. By default
     * {@link #linear} of each; weights that stack such modules ({@link FusedProjections}) run one matmul.
     */
    default List<NDArray> linears(List<String> modules, NDArray input, boolean withBias) {
        return modules.stream().map(module -> linear(module, input, withBias)).toList();
    }

    /** The name of a module's weight: {@code module.weight}. */
    static String weightOf(String module) {
        return module + ".weight";
    }

    /** The name of a module's bias: {@code module.bias}. */
    static String biasOf(String module) {
        return module + ".bias";
    }
}
