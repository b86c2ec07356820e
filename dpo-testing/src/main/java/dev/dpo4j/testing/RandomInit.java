package dev.dpo4j.testing;

import ai.djl.ndarray.NDManager;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.ModelConfig;

/**
 * Builds a randomly initialized model as transformers does, the same on every device and in every order; see
 * dpo-core's {@link dev.dpo4j.core.tiny.RandomInit}.
 */
public final class RandomInit {

    private RandomInit() {
    }

    /** A new model of the given architecture; {@code stddev} is the config's {@code initializer_range}. */
    public static CausalLm create(ModelConfig config, NDManager parent, long seed, double stddev) {
        return dev.dpo4j.core.tiny.RandomInit.create(config, parent, seed, stddev);
    }
}
