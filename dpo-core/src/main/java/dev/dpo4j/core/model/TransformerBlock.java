package dev.dpo4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/** One pre-norm decoder layer: {@code h = x + attn(norm(x)); out = h + mlp(norm(h))}. */
public final class TransformerBlock {

    private final RmsNorm inputNorm;
    private final CausalSelfAttention attention;
    private final RmsNorm postAttentionNorm;
    private final MlpBlock mlp;

    /** Decoder layer {@code layer} of the given architecture. */
    public TransformerBlock(ModelConfig config, int layer) {
        String prefix = "model.layers." + layer + ".";
        inputNorm = new RmsNorm(prefix + "input_layernorm.weight", config.rmsNormEps());
        attention = new CausalSelfAttention(config, layer);
        postAttentionNorm = new RmsNorm(prefix + "post_attention_layernorm.weight", config.rmsNormEps());
        mlp = new MlpBlock(layer);
    }

    /** Applies the layer to hidden states of shape {@code (batch, length, hidden)}. */
    public NDArray forward(NDArray x, NDList rope, NDArray causalMask, Weights weights) {
        NDArray attended = x.add(attention.forward(inputNorm.forward(x, weights), rope, causalMask, weights));
        return attended.add(mlp.forward(postAttentionNorm.forward(attended, weights), weights));
    }
}
