package dev.dpo4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.dpo4j.core.kernels.AttentionMask;
import dev.dpo4j.core.kernels.Kernels;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One pre-norm decoder layer: {@code h = x + attn(norm(x)); out = h + mlp(norm(h))}. */
public final class TransformerBlock {

    private final RmsNorm inputNorm;
    private final CausalSelfAttention attention;
    private final RmsNorm postAttentionNorm;
    private final MlpBlock mlp;

    /** Decoder layer {@code layer} of the given architecture, on the pure-DJL kernels. */
    public TransformerBlock(ModelConfig config, int layer) {
        this(config, layer, Kernels.djl());
    }

    /** Decoder layer {@code layer} of the given architecture, its attention computed by {@code kernels}. */
    public TransformerBlock(ModelConfig config, int layer, Kernels kernels) {
        String prefix = prefix(layer) + ".";
        inputNorm = new RmsNorm(prefix + "input_layernorm", config.hiddenSize(), config.rmsNormEps(), kernels);
        attention = new CausalSelfAttention(config, layer, kernels);
        postAttentionNorm = new RmsNorm(prefix + "post_attention_layernorm", config.hiddenSize(),
                config.rmsNormEps(), kernels);
        mlp = new MlpBlock(config, layer, kernels);
    }

    /** The module name of decoder layer {@code layer}: {@code model.layers.<layer>}. */
    public static String prefix(int layer) {
        return "model.layers." + layer;
    }

    /** The names and shapes of the layer's weights, in Hugging Face's order: attention, MLP, then the norms. */
    public Map<String, Shape> parameterShapes() {
        Map<String, Shape> shapes = new LinkedHashMap<>(attention.parameterShapes());
        shapes.putAll(mlp.parameterShapes());
        shapes.putAll(inputNorm.parameterShapes());
        shapes.putAll(postAttentionNorm.parameterShapes());
        return shapes;
    }

    /** The module groups that read the same input: {@code q/k/v_proj} and {@code gate/up_proj}. */
    public List<List<String>> stackedModules() {
        return List.of(attention.stackedModules(), mlp.stackedModules());
    }

    /** Applies the layer to hidden states of shape {@code (batch, length, hidden)}. */
    public NDArray forward(NDArray x, NDList rope, AttentionMask mask, Weights weights) {
        NDArray attended = x.add(attention.forward(inputNorm.forward(x, weights), rope, mask, weights));
        return attended.add(mlp.forward(postAttentionNorm.forward(attended, weights), weights));
    }
}
