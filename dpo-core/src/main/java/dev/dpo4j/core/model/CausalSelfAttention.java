package dev.dpo4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.dpo4j.core.kernels.AttentionMask;
import dev.dpo4j.core.kernels.Kernels;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Causal multi-head self-attention with grouped-query key/value heads, rotary embeddings, optional q/k/v biases
 * (Qwen2) and optional per-head q/k RMSNorm (Qwen3). The projections go through {@link Weights#linears} (q/k/v at
 * once) and {@link Weights#linear}, the heads and their rotation through {@link Kernels#rotaryHeads}, the attention
 * itself through {@link Kernels#attention}.
 */
public final class CausalSelfAttention {

    private final Kernels kernels;
    private final ModelConfig config;
    private final RmsNorm queryNorm;
    private final RmsNorm keyNorm;
    private final String qProj;
    private final String kProj;
    private final String vProj;
    private final String oProj;
    private final List<String> qkv;

    /** The attention of decoder layer {@code layer}, on the pure-DJL kernels. */
    public CausalSelfAttention(ModelConfig config, int layer) {
        this(config, layer, Kernels.djl());
    }

    /** The attention of decoder layer {@code layer}, computed by {@code kernels}. */
    public CausalSelfAttention(ModelConfig config, int layer, Kernels kernels) {
        this.kernels = kernels;
        this.config = config;
        String prefix = TransformerBlock.prefix(layer) + ".self_attn.";
        this.qProj = prefix + "q_proj";
        this.kProj = prefix + "k_proj";
        this.vProj = prefix + "v_proj";
        this.oProj = prefix + "o_proj";
        this.qkv = List.of(qProj, kProj, vProj);
        int headDim = config.headDim();
        this.queryNorm = config.qkNorm() ? new RmsNorm(prefix + "q_norm", headDim, config.rmsNormEps(), kernels) : null;
        this.keyNorm = config.qkNorm() ? new RmsNorm(prefix + "k_norm", headDim, config.rmsNormEps(), kernels) : null;
    }

    /**
     * The names and shapes of its weights, in the order dpo4j has always kept them: the q/k/v weights, their biases
     * (with {@code attention_bias}), the q/k norms (Qwen3), then the output projection.
     */
    public Map<String, Shape> parameterShapes() {
        long hidden = config.hiddenSize();
        long queryWidth = (long) config.numHeads() * config.headDim();
        long kvWidth = (long) config.numKvHeads() * config.headDim();
        Map<String, Shape> shapes = new LinkedHashMap<>();
        shapes.put(Weights.weightOf(qProj), new Shape(queryWidth, hidden));
        shapes.put(Weights.weightOf(kProj), new Shape(kvWidth, hidden));
        shapes.put(Weights.weightOf(vProj), new Shape(kvWidth, hidden));
        if (config.attentionBias()) {
            shapes.put(Weights.biasOf(qProj), new Shape(queryWidth));
            shapes.put(Weights.biasOf(kProj), new Shape(kvWidth));
            shapes.put(Weights.biasOf(vProj), new Shape(kvWidth));
        }
        if (config.qkNorm()) {
            shapes.putAll(queryNorm.parameterShapes());
            shapes.putAll(keyNorm.parameterShapes());
        }
        shapes.put(Weights.weightOf(oProj), new Shape(hidden, queryWidth));
        return shapes;
    }

    /** The modules that read the same input, stacked by {@link FusedProjections}: {@code q/k/v_proj}. */
    public List<String> stackedModules() {
        return qkv;
    }

    /**
     * Attends over {@code x} of shape {@code (batch, length, hidden)}.
     *
     * @param rope cosine and sine tables from {@link RotaryEmbedding#tables}
     * @param mask the keys each position may attend to
     */
    public NDArray forward(NDArray x, NDList rope, AttentionMask mask, Weights weights) {
        long batch = x.getShape().get(0);
        long length = x.getShape().get(1);
        int headDim = config.headDim();
        boolean bias = config.attentionBias();
        List<NDArray> projected = weights.linears(qkv, x, bias);
        NDList heads = kernels.rotaryHeads(projected.get(0), projected.get(1), projected.get(2), rope,
                queryNorm == null ? null : new Kernels.HeadNorms(weights.get(queryNorm.weightName()),
                        weights.get(keyNorm.weightName()), config.rmsNormEps()));
        NDArray attended = kernels.attention(heads.get(0), heads.get(1), heads.get(2), mask);
        NDArray context = attended
                .transpose(0, 2, 1, 3)
                .reshape(batch, length, (long) config.numHeads() * headDim);
        return weights.linear(oProj, context, false);
    }
}
