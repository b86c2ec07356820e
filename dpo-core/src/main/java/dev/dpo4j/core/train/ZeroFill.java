package dev.dpo4j.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/**
 * Sets every element of an array to 0 in place, inf and NaN included (multiplying by 0 would keep those), without
 * leaving the fill value's scalar array behind in the array's manager.
 */
final class ZeroFill {

    private static final NDIndex ALL = new NDIndex("...");

    private ZeroFill() {
    }

    /** Fills {@code array} with zeros. */
    static void fill(NDArray array) {
        try (NDManager scratch = array.getManager().newSubManager()) {
            array.tempAttach(scratch);
            array.set(ALL, 0f);
        }
    }
}
