package dev.dpo4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;

/**
 * Causal multi-head self-attention with grouped-query key/value heads, rotary embeddings, optional q/k/v biases
 * (Qwen2) and optional per-head q/k RMSNorm (Qwen3). Softmax accumulates in float32.
 *
 * <p>Grouped-query attention never copies keys and values per query head: the query heads that share a key/value
 * head are folded into the sequence axis ({@code (batch, kv_heads, group * length, head_dim)}).
 */
public final class CausalSelfAttention {

    private final String prefix;
    private final ModelConfig config;
    private final RmsNorm queryNorm;
    private final RmsNorm keyNorm;

    /** The attention of decoder layer {@code layer}. */
    public CausalSelfAttention(ModelConfig config, int layer) {
        this.config = config;
        this.prefix = "model.layers." + layer + ".self_attn.";
        this.queryNorm = config.qkNorm() ? new RmsNorm(prefix + "q_norm.weight", config.rmsNormEps()) : null;
        this.keyNorm = config.qkNorm() ? new RmsNorm(prefix + "k_norm.weight", config.rmsNormEps()) : null;
    }

    /**
     * Attends over {@code x} of shape {@code (batch, length, hidden)}.
     *
     * @param rope cosine and sine tables from {@link RotaryEmbedding#tables}
     * @param causalMask additive mask of shape {@code (length, length)} in the compute type: 0 on and below the
     *     diagonal, the type's lowest value above it
     */
    public NDArray forward(NDArray x, NDList rope, NDArray causalMask, Weights weights) {
        long batch = x.getShape().get(0);
        long length = x.getShape().get(1);
        int kvHeads = config.numKvHeads();
        int group = config.groupSize();
        int headDim = config.headDim();
        NDArray query = heads(project(x, "q_proj", weights), config.numHeads(), queryNorm, weights);
        NDArray key = heads(project(x, "k_proj", weights), kvHeads, keyNorm, weights);
        NDArray value = heads(project(x, "v_proj", weights), kvHeads, null, weights);
        query = RotaryEmbedding.apply(query, rope).reshape(batch, kvHeads, group * length, headDim);
        key = RotaryEmbedding.apply(key, rope);

        // softmax accumulates in float32 also for float16 scores (PyTorch's kernels do), and keeps the graph
        NDArray probabilities = query.matMul(key.transpose(0, 1, 3, 2)).mul(1.0 / Math.sqrt(headDim))
                .reshape(batch, kvHeads, group, length, length).add(causalMask).softmax(-1)
                .reshape(batch, kvHeads, group * length, length);
        NDArray context = probabilities.matMul(value)
                .reshape(batch, config.numHeads(), length, headDim)
                .transpose(0, 2, 1, 3)
                .reshape(batch, length, (long) config.numHeads() * headDim);
        return Linear.linear(context, weights.get(prefix + "o_proj.weight")).singletonOrThrow();
    }

    private NDArray project(NDArray x, String name, Weights weights) {
        NDArray weight = weights.get(prefix + name + ".weight");
        NDArray bias = config.attentionBias() ? weights.get(prefix + name + ".bias") : null;
        return (bias == null ? Linear.linear(x, weight) : Linear.linear(x, weight, bias)).singletonOrThrow();
    }

    /** {@code (batch, length, heads * head_dim)} to {@code (batch, heads, length, head_dim)}, normed if asked. */
    private NDArray heads(NDArray projected, int count, RmsNorm norm, Weights weights) {
        Shape shape = projected.getShape();
        NDArray split = projected.reshape(shape.get(0), shape.get(1), count, config.headDim());
        if (norm != null) {
            split = norm.forward(split, weights);
        }
        return split.transpose(0, 2, 1, 3);
    }
}
