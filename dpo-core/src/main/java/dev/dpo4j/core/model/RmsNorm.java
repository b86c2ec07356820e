package dev.dpo4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Root-mean-square layer normalization over the last axis, with its statistics in float32 as Hugging Face's
 * {@code LlamaRMSNorm} computes them: {@code weight * (x / sqrt(mean(x^2) + eps))}.
 */
public final class RmsNorm {

    private final String weightName;
    private final double eps;

    /** A norm whose scale vector is the weight named {@code weightName}. */
    public RmsNorm(String weightName, double eps) {
        this.weightName = weightName;
        this.eps = eps;
    }

    /** Normalizes {@code x}; the result has the data type of {@code x}. */
    public NDArray forward(NDArray x, Weights weights) {
        DataType type = x.getDataType();
        NDArray x32 = type == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
        NDArray variance = x32.square().mean(new int[] {-1}, true);
        NDArray normalized = x32.mul(variance.add(eps).sqrt().pow(-1));
        if (type != DataType.FLOAT32) {
            normalized = normalized.toType(type, false);
        }
        return normalized.mul(weights.get(weightName));
    }
}
