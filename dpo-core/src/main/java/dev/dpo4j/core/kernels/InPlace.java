package dev.dpo4j.core.kernels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/**
 * Writes into an existing array, every element replaced: inf and NaN too (multiplying by 0 and adding, as
 * {@code muli(0).addi(x)} does, keeps them), and without leaving the fill value's scalar array behind in the
 * array's manager.
 */
public final class InPlace {

    private static final NDIndex ALL = new NDIndex("...");

    private InPlace() {
    }

    /** Sets every element of {@code array} to 0. */
    public static void zero(NDArray array) {
        try (NDManager scratch = array.getManager().newSubManager()) {
            array.tempAttach(scratch);
            array.set(ALL, 0f);
        }
    }

    /**
     * Overwrites {@code target} with {@code source} (same shape), cast to the target's type and moved to its
     * device first; the temporaries are freed.
     */
    public static void assign(NDArray target, NDArray source) {
        try (NDManager scratch = target.getManager().newSubManager()) {
            target.tempAttach(scratch);
            NDArray value = source.toType(target.getDataType(), false).toDevice(target.getDevice(), false);
            if (value != source) {
                value.attach(scratch);
            }
            target.set(ALL, value);
        }
    }
}
