package dev.dpo4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.dpo4j.api.loss.Scalars;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Causal multi-head self-attention with grouped-query key/value heads, rotary embeddings, optional q/k/v biases
 * (Qwen2) and optional per-head q/k RMSNorm (Qwen3). Softmax accumulates in float32.
 *
 * <p>Grouped-query attention never copies keys and values per query head: the query heads that share a key/value
 * head are folded into the sequence axis ({@code (batch, kv_heads, group * length, head_dim)}).
 */
public final class CausalSelfAttention {

    /** Score elements one query chunk may hold: 128 Mi, a quarter GiB in float16. */
    static final long MAX_SCORE_ELEMENTS = 1L << 27;

    private final long maxScores;
    private final ModelConfig config;
    private final RmsNorm queryNorm;
    private final RmsNorm keyNorm;
    private final String qProj;
    private final String kProj;
    private final String vProj;
    private final String oProj;

    /** The attention of decoder layer {@code layer}. */
    public CausalSelfAttention(ModelConfig config, int layer) {
        this(config, layer, MAX_SCORE_ELEMENTS);
    }

    /** As the public constructor, with query chunks sized so one chunk's scores stay within {@code maxScores}. */
    CausalSelfAttention(ModelConfig config, int layer, long maxScores) {
        this.maxScores = maxScores;
        this.config = config;
        String prefix = TransformerBlock.prefix(layer) + ".self_attn.";
        this.qProj = prefix + "q_proj";
        this.kProj = prefix + "k_proj";
        this.vProj = prefix + "v_proj";
        this.oProj = prefix + "o_proj";
        int headDim = config.headDim();
        this.queryNorm = config.qkNorm() ? new RmsNorm(prefix + "q_norm", headDim, config.rmsNormEps()) : null;
        this.keyNorm = config.qkNorm() ? new RmsNorm(prefix + "k_norm", headDim, config.rmsNormEps()) : null;
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
        boolean bias = config.attentionBias();
        NDArray query = heads(weights.linear(qProj, x, bias), config.numHeads(), queryNorm, weights);
        NDArray key = heads(weights.linear(kProj, x, bias), kvHeads, keyNorm, weights);
        NDArray value = heads(weights.linear(vProj, x, bias), kvHeads, null, weights);
        // scaling the queries by 1/sqrt(head_dim) here costs length x head_dim per head, where scaling the scores
        // costs length x length, once forward and once backward
        NDArray rotated = RotaryEmbedding.apply(query, rope);
        query = rotated.mul(Scalars.of(rotated, 1.0 / Math.sqrt(headDim)))
                .reshape(batch, kvHeads, group, length, headDim);
        NDArray keys = RotaryEmbedding.apply(key, rope).transpose(0, 1, 3, 2);
        long rows = Math.max(1, maxScores / (batch * config.numHeads() * length));
        NDArray attended;
        if (rows >= length) {
            attended = attend(query, keys, value, causalMask);
        } else {
            // long sequences: query chunks, each in a manager of its own, so only one chunk's scores exist at a time
            // outside the graph (and one chunk's temporaries at a time in backward)
            NDList chunks = new NDList();
            for (long start = 0; start < length; start += rows) {
                long end = Math.min(length, start + rows);
                try (NDManager chunk = x.getManager().newSubManager()) {
                    NDArray queries = query.get(new NDIndex(":, :, :, {}:{}, :", start, end));
                    NDArray mask = causalMask.get(new NDIndex("{}:{}, :", start, end));
                    queries.attach(chunk);
                    mask.attach(chunk);
                    NDArray out = attend(queries, keys, value, mask);
                    out.attach(x.getManager());
                    chunks.add(out);
                }
            }
            attended = NDArrays.concat(chunks, 3);
        }
        NDArray context = attended
                .reshape(batch, config.numHeads(), length, headDim)
                .transpose(0, 2, 1, 3)
                .reshape(batch, length, (long) config.numHeads() * headDim);
        return weights.linear(oProj, context, false);
    }

    /**
     * Softmax attention of queries {@code (batch, kv_heads, group, rows, head_dim)}, already scaled by
     * {@code 1/sqrt(head_dim)}, over transposed keys
     * {@code (batch, kv_heads, head_dim, length)} and values; the query heads sharing a key/value head are folded into
     * the row axis, so keys and values are never copied per query head. Softmax accumulates in float32 also for
     * float16 scores (PyTorch's kernels do) and keeps the graph.
     */
    private NDArray attend(NDArray queries, NDArray keys, NDArray value, NDArray mask) {
        Shape shape = queries.getShape();
        long batch = shape.get(0);
        long kvHeads = shape.get(1);
        long group = shape.get(2);
        long rows = shape.get(3);
        long headDim = shape.get(4);
        long length = keys.getShape().get(3);
        NDArray scores = queries.reshape(batch, kvHeads, group * rows, headDim).matMul(keys);
        NDArray probabilities = scores.reshape(batch, kvHeads, group, rows, length).add(mask).softmax(-1)
                .reshape(batch, kvHeads, group * rows, length);
        return probabilities.matMul(value).reshape(batch, kvHeads, group, rows, headDim);
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
