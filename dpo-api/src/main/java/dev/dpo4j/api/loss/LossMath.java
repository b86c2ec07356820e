package dev.dpo4j.api.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import dev.dpo4j.api.arrays.Scalars;

/**
 * The arithmetic a {@link LossFunction} needs, safe inside a gradient graph: every number goes through
 * {@link Scalars}, because DJL's {@code x.mul(0.5)} keeps the scalar in Java memory it releases at once and backward
 * may then read garbage on the CPU. The built-in losses are written with these.
 */
public final class LossMath {

    private LossMath() {
    }

    /** {@code x * factor}. */
    public static NDArray scale(NDArray x, double factor) {
        return x.mul(Scalars.of(x, factor));
    }

    /** {@code x + offset}. */
    public static NDArray shift(NDArray x, double offset) {
        return x.add(Scalars.of(x, offset));
    }

    /** {@code min(x, value)} element-wise. */
    public static NDArray minimum(NDArray x, double value) {
        return x.minimum(Scalars.of(x, value));
    }

    /** {@code max(x, value)} element-wise. */
    public static NDArray maximum(NDArray x, double value) {
        return x.maximum(Scalars.of(x, value));
    }

    /** {@code max(x, 0)}: with {@code x = 1 - margin} it is the hinge loss. */
    public static NDArray relu(NDArray x) {
        return maximum(x, 0);
    }

    /** The logistic sigmoid {@code 1 / (1 + exp(-x))}. */
    public static NDArray sigmoid(NDArray x) {
        return x.getNDArrayInternal().sigmoid();
    }

    /**
     * {@code log(sigmoid(x))} computed stably as {@code min(x, 0) - log1p(exp(-|x|))}; DJL has no {@code log1p}, so
     * for {@code t = exp(-|x|) < 1e-4} it uses {@code t - t^2/2}, which keeps tiny losses from rounding to 0. The
     * logistic (DPO) loss is {@code -logSigmoid(x)}.
     */
    public static NDArray logSigmoid(NDArray x) {
        NDArray t = x.abs().neg().exp();
        NDArray log1p = NDArrays.where(t.lt(1e-4), t.sub(scale(t.square(), 0.5)), shift(t, 1).log());
        return minimum(x, 0).sub(log1p);
    }

    /**
     * The implicit rewards {@code beta * (policy - reference)} of completions, detached from the graph (reported,
     * not differentiated); without a reference ({@code null}), {@code beta * policy}.
     */
    public static NDArray rewards(NDArray policy, NDArray reference, double beta) {
        NDArray ratio = reference == null ? policy : policy.sub(reference);
        return scale(ratio.stopGradient(), beta);
    }
}
