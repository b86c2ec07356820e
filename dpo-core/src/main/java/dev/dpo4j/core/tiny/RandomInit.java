package dev.dpo4j.core.tiny;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.ModelConfig;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Builds a randomly initialized model as transformers does ({@code initializer_range} normal for matrices, ones
 * for norms, zeros for biases). Values come from a Java generator seeded per weight name, so a seed gives the same
 * model on every device and in every order.
 */
public final class RandomInit {

    private RandomInit() {
    }

    /** A new model of the given architecture; {@code stddev} is the config's {@code initializer_range}. */
    public static CausalLm create(ModelConfig config, NDManager parent, long seed, double stddev) {
        NDManager manager = parent.newSubManager();
        Map<String, NDArray> weights = new LinkedHashMap<>();
        CausalLm.expectedShapes(config).forEach((name, shape) -> weights.put(name,
                manager.create(values(name, shape, seed, stddev), shape)));
        return new CausalLm(config, weights, manager);
    }

    private static float[] values(String name, Shape shape, long seed, double stddev) {
        float[] values = new float[Math.toIntExact(shape.size())];
        if (name.endsWith(".bias")) {
            return values;
        }
        if (name.contains("norm")) {
            Arrays.fill(values, 1f);
            return values;
        }
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L + name.hashCode());
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * stddev);
        }
        return values;
    }
}
