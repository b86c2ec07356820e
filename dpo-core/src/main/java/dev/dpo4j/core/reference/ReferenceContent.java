package dev.dpo4j.core.reference;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * What a reference model's log-probs depend on besides the pairs, for keying a cache of them: the tensors it reads
 * (a frozen model's weights, a LoRA base's and its reference adapters'), and a description of the rest (the model's
 * {@code config.json}, the adapters' options).
 *
 * @param description everything but the tensors that changes the values
 * @param tensors the tensors read, by name
 */
public record ReferenceContent(String description, Map<String, NDArray> tensors) {
}
