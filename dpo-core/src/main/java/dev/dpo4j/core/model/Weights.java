package dev.dpo4j.core.model;

import ai.djl.ndarray.NDArray;

/**
 * Looks up a model weight by its Hugging Face name, in the data type the forward pass computes in. Plain
 * training returns the float32 master weights themselves; mixed precision returns per-step float16 copies.
 */
@FunctionalInterface
public interface Weights {

    /** The weight with this name; fails naming it when absent. */
    NDArray get(String name);
}
