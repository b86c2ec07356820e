package dev.dpo4j.core.kernels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.LayerNorm;
import dev.dpo4j.api.arrays.Scalars;
import java.util.List;

/**
 * The kernels written with DJL's own operations: attention as matmul, mask and softmax in query chunks that bound
 * the scores' memory, AdamW through DJL's native {@code adamUpdate} in slices that bound its temporaries, and
 * DJL's casts (which cut the autograd graph, so float16 training casts leaf copies).
 */
final class DjlKernels implements Kernels {

    private static final NDIndex ALL = new NDIndex("...");

    static final DjlKernels INSTANCE = new DjlKernels(MAX_SCORE_ELEMENTS, UPDATE_SLICE);

    private final long maxScores;
    private final long updateSlice;

    /**
     * @param maxScores score elements one query chunk of attention may hold
     * @param updateSlice elements one native AdamW call updates
     */
    DjlKernels(long maxScores, long updateSlice) {
        this.maxScores = maxScores;
        this.updateSlice = updateSlice;
    }

    @Override
    public String name() {
        return "djl";
    }

    /** Reshapes, norms, transposes and rotates each of queries and keys in DJL operations. */
    @Override
    public NDList rotaryHeads(NDArray query, NDArray key, NDArray value, NDList rope, HeadNorms norms) {
        long headDim = rope.get(0).getShape().get(rope.get(0).getShape().dimension() - 1);
        return new NDList(rotate(heads(query, headDim, norms == null ? null : norms.query(), norms), rope),
                rotate(heads(key, headDim, norms == null ? null : norms.key(), norms), rope),
                heads(value, headDim, null, null));
    }

    /** {@code (batch, length, count * head_dim)} to {@code (batch, count, length, head_dim)}, normed if asked. */
    private NDArray heads(NDArray projected, long headDim, NDArray norm, HeadNorms norms) {
        Shape shape = projected.getShape();
        NDArray split = projected.reshape(shape.get(0), shape.get(1), shape.get(2) / headDim, headDim);
        if (norm != null) {
            split = rmsNorm(split, norm, norms.eps());
        }
        return split.transpose(0, 2, 1, 3);
    }

    /** {@code x * cos + rotate_half(x) * sin}, with {@code rotate_half(x) = [-x2; x1]}. */
    private static NDArray rotate(NDArray x, NDList tables) {
        long halfWidth = x.getShape().get(3) / 2;
        NDList halves = x.split(new long[] {halfWidth}, 3);
        NDArray rotated = NDArrays.concat(new NDList(halves.get(1).neg(), halves.get(0)), 3);
        return x.mul(tables.get(0)).add(rotated.mul(tables.get(1)));
    }

    /**
     * Queries are scaled by {@code 1/sqrt(head_dim)} (a pass over head_dim, not over the scores), and the query heads
     * that share a key/value head are folded into the row axis, so keys and values are never copied per query head.
     * Long sequences run in query chunks, each in a manager of its own, so only one chunk's scores exist at a time
     * outside the graph.
     */
    @Override
    public NDArray attention(NDArray query, NDArray key, NDArray value, AttentionMask attentionMask) {
        Shape shape = query.getShape();
        long batch = shape.get(0);
        long heads = shape.get(1);
        long length = shape.get(2);
        long headDim = shape.get(3);
        long kvHeads = key.getShape().get(1);
        long group = heads / kvHeads;
        NDArray queries = query.mul(Scalars.of(query, 1.0 / Math.sqrt(headDim)))
                .reshape(batch, kvHeads, group, length, headDim);
        NDArray keys = key.transpose(0, 1, 3, 2);
        // (length, length) broadcasts as it is; (batch, length, length) needs the kv_heads and group axes
        NDArray mask = attentionMask.perSequence()
                ? attentionMask.additive().reshape(batch, 1, 1, length, length) : attentionMask.additive();
        long rows = Math.max(1, maxScores / (batch * heads * length));
        NDArray attended;
        if (rows >= length) {
            attended = attend(queries, keys, value, mask);
        } else {
            NDManager outer = query.getManager();
            NDList chunks = new NDList();
            for (long start = 0; start < length; start += rows) {
                long end = Math.min(length, start + rows);
                try (NDManager chunk = outer.newSubManager()) {
                    NDArray rowsOfQueries = queries.get(new NDIndex(":, :, :, {}:{}, :", start, end));
                    NDArray rowsOfMask = mask.get(new NDIndex("..., {}:{}, :", start, end));
                    rowsOfQueries.attach(chunk);
                    rowsOfMask.attach(chunk);
                    NDArray out = attend(rowsOfQueries, keys, value, rowsOfMask);
                    out.attach(outer);
                    chunks.add(out);
                }
            }
            attended = NDArrays.concat(chunks, 3);
        }
        return attended.reshape(batch, heads, length, headDim);
    }

    /**
     * Softmax attention of scaled queries {@code (batch, kv_heads, group, rows, head_dim)} over transposed keys
     * {@code (batch, kv_heads, head_dim, length)} and values; softmax accumulates in float32 also for float16 scores
     * (PyTorch's kernels do) and keeps the graph.
     */
    private static NDArray attend(NDArray queries, NDArray keys, NDArray value, NDArray mask) {
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

    /** DJL's {@code adamUpdate} in slices, with eps scaled so the update equals torch's. */
    @Override
    public void adamW(NDArray weight, NDArray gradient, NDArray mean, NDArray variance, AdamWStep step) {
        double correction1 = 1 - Math.pow(step.beta1(), step.step());
        double sqrtCorrection2 = Math.sqrt(1 - Math.pow(step.beta2(), step.step()));
        float stepSize = (float) (step.learningRate() * sqrtCorrection2 / correction1);
        float scaledEpsilon = (float) (step.epsilon() * sqrtCorrection2);
        long size = weight.getShape().size();
        NDManager parent = weight.getManager();
        for (long start = 0; start < size; start += updateSlice) {
            try (NDManager slice = parent.newSubManager()) {
                NDIndex range = new NDIndex("{}:{}", start, Math.min(size, start + updateSlice));
                NDArray weights = weight.get(range);
                NDList views = new NDList(weights, gradient.get(range), mean.get(range), variance.get(range));
                views.attach(slice);
                // DJL's PyTorch adamUpdate takes (weight, gradient, mean, variance)
                weights.getNDArrayInternal().adamUpdate(views, new NDList(weights), (float) step.learningRate(),
                        stepSize, (float) step.weightDecay(), (float) step.gradientScale(), -1f,
                        (float) step.beta1(), (float) step.beta2(), scaledEpsilon, false, true);
            }
        }
    }

    /**
     * Float32 as the formula reads; other types through DJL's fused layer norm, which accumulates in float32 and keeps
     * the graph (DJL's casts do not): {@code [x, -x]} has mean 0 and variance {@code mean(x^2)}, so the first half of
     * its layer norm, scaled by the weight, is RMSNorm of x.
     */
    @Override
    public NDArray rmsNorm(NDArray x, NDArray weight, double eps) {
        if (x.getDataType() == DataType.FLOAT32) {
            NDArray variance = x.square().mean(new int[] {-1}, true);
            return x.mul(variance.add(Scalars.of(x, eps)).sqrt().pow(Scalars.of(x, -1))).mul(weight);
        }
        long width = x.getShape().get(x.getShape().dimension() - 1);
        NDArray mirrored = x.concat(x.neg(), -1);
        NDArray gamma = weight.concat(weight, 0);
        gamma.attach(x.getManager()); // a result lands in its first operand's manager: keep it with the activations
        NDArray beta = x.getManager().zeros(new Shape(2 * width), x.getDataType());
        NDArray normalized = LayerNorm.layerNorm(mirrored, new Shape(2 * width), gamma, beta, (float) eps)
                .singletonOrThrow();
        return normalized.split(new long[] {width}, mirrored.getShape().dimension() - 1).get(0);
    }

    @Override
    public void copyInto(List<NDArray> targets, List<NDArray> sources) {
        for (int i = 0; i < targets.size(); i++) {
            NDArray target = targets.get(i);
            try (NDArray converted = sources.get(i).toType(target.getDataType(), true)) {
                target.set(ALL, converted);
            }
        }
    }

    @Override
    public void drainInto(List<NDArray> sums, List<NDArray> addends) {
        for (int i = 0; i < sums.size(); i++) {
            NDArray sum = sums.get(i);
            NDArray addend = addends.get(i);
            try (NDArray converted = addend.toType(sum.getDataType(), true)) {
                sum.addi(converted);
            }
            addend.set(ALL, 0f);
        }
    }

    /** {@code gate * sigmoid(gate) * up} as three DJL operations (DJL has no {@code silu} of its own). */
    @Override
    public NDArray swiglu(NDArray gate, NDArray up) {
        return gate.mul(Activation.sigmoid(gate)).mul(up);
    }

    /** DJL's {@code toType}, always a copy. */
    @Override
    public NDArray cast(NDArray array, DataType type) {
        return array.toType(type, true);
    }
}
