package dev.dpo4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.dpo4j.core.kernels.Kernels;
import java.util.Map;

/**
 * Root-mean-square layer normalization over the last axis, with its statistics in float32 as Hugging Face's
 * {@code LlamaRMSNorm} computes them: {@code weight * (x / sqrt(mean(x^2) + eps))}.
 */
public final class RmsNorm {

    private final String weightName;
    private final long width;
    private final double eps;
    private final Kernels kernels;

    /** The norm of module {@code module} over {@code width} features, on the pure-DJL kernels. */
    public RmsNorm(String module, long width, double eps) {
        this(module, width, eps, Kernels.djl());
    }

    /**
     * The norm of module {@code module} over {@code width} features, computed by {@code kernels}; its scale vector is
     * {@code module.weight}.
     */
    public RmsNorm(String module, long width, double eps, Kernels kernels) {
        this.weightName = Weights.weightOf(module);
        this.width = width;
        this.eps = eps;
        this.kernels = kernels;
    }

    /** The name and shape of its scale vector. */
    public Map<String, Shape> parameterShapes() {
        return Map.of(weightName, new Shape(width));
    }

    /** The name of its scale vector, {@code module.weight}. */
    public String weightName() {
        return weightName;
    }

    /** Normalizes {@code x} through {@link Kernels#rmsNorm}; the result has the data type of {@code x}. */
    public NDArray forward(NDArray x, Weights weights) {
        return kernels.rmsNorm(x, weights.get(weightName), eps);
    }
}
