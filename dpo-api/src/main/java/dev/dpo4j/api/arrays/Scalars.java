package dev.dpo4j.api.arrays;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Scalars for arithmetic inside a gradient graph; losses should reach for {@link dev.dpo4j.api.loss.LossMath} first, which covers the
 * usual operations with this rule built in, and use this class for the others. DJL's {@code x.mul(0.5)} (and {@code add}, {@code div},
 * {@code pow}, {@code minimum}... with a number) wraps the number in a tensor over a Java buffer and frees that
 * buffer's owner right after the operation; autograd keeps the scalar for backward, and on the CPU it then reads
 * memory the garbage collector may have reused, which gives wrong or NaN gradients now and then. Write
 * {@code x.mul(Scalars.of(x, 0.5))} instead: the tensor's memory is PyTorch's own and lives as long as the graph.
 */
public final class Scalars {

    private Scalars() {
    }

    /** A 0-dimensional tensor holding {@code value}, with the data type, device and manager of {@code like}. */
    public static NDArray of(NDArray like, double value) {
        return like.getManager().full(new Shape(), (float) value, like.getDataType(), like.getDevice());
    }
}
