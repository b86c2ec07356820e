package dev.dpo4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.LayerNorm;
import dev.dpo4j.api.arrays.Scalars;
import java.util.Map;

/**
 * Root-mean-square layer normalization over the last axis, with its statistics in float32 as Hugging Face's
 * {@code LlamaRMSNorm} computes them: {@code weight * (x / sqrt(mean(x^2) + eps))}.
 */
public final class RmsNorm {

    private final String weightName;
    private final long width;
    private final double eps;

    /** The norm of module {@code module} over {@code width} features; its scale vector is {@code module.weight}. */
    public RmsNorm(String module, long width, double eps) {
        this.weightName = Weights.weightOf(module);
        this.width = width;
        this.eps = eps;
    }

    /** The name and shape of its scale vector. */
    public Map<String, Shape> parameterShapes() {
        return Map.of(weightName, new Shape(width));
    }

    /** Normalizes {@code x}; the result has the data type of {@code x}. */
    public NDArray forward(NDArray x, Weights weights) {
        if (x.getDataType() != DataType.FLOAT32) {
            return forwardHalf(x, weights.get(weightName));
        }
        NDArray variance = x.square().mean(new int[] {-1}, true);
        return x.mul(variance.add(Scalars.of(x, eps)).sqrt().pow(Scalars.of(x, -1))).mul(weights.get(weightName));
    }

    /**
     * Float16 (or other half) inputs: DJL's casts run outside autograd, so the float32 statistics come from the
     * fused layer norm instead, which accumulates in float32 and keeps the graph: {@code [x, -x]} has mean 0 and
     * variance {@code mean(x^2)}, so the first half of its layer norm, scaled by the weight, is RMSNorm of x.
     */
    private NDArray forwardHalf(NDArray x, NDArray weight) {
        long width = x.getShape().get(x.getShape().dimension() - 1);
        NDArray mirrored = x.concat(x.neg(), -1);
        NDArray gamma = weight.concat(weight, 0);
        gamma.attach(x.getManager()); // a result lands in its first operand's manager: keep it with the activations
        NDArray beta = x.getManager().zeros(new Shape(2 * width), x.getDataType());
        NDArray normalized = LayerNorm.layerNorm(mirrored, new Shape(2 * width), gamma, beta, (float) eps)
                .singletonOrThrow();
        return normalized.split(new long[] {width}, mirrored.getShape().dimension() - 1).get(0);
    }
}
