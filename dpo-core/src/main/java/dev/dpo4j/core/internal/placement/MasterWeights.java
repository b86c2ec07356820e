package dev.dpo4j.core.internal.placement;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dpo4j.core.kernels.InPlace;
import dev.dpo4j.core.model.Weights;
import dev.dpo4j.core.placement.DeviceWeights;
import java.util.Map;

/**
 * Float32 training on the primary device: the forward pass reads the float32 masters themselves, which require a
 * gradient; their gradients are moved into the optimizer's flat buffers.
 */
public final class MasterWeights implements DeviceWeights {

    private final Map<String, NDArray> masters;
    private final Map<String, NDArray> gradients;

    /**
     * @param masters the float32 weights by name (they start requiring a gradient)
     * @param gradients the optimizer's float32 gradient views by name
     */
    public MasterWeights(Map<String, NDArray> masters, Map<String, NDArray> gradients) {
        this.masters = masters;
        this.gradients = gradients;
        masters.values().forEach(weight -> weight.setRequiresGradient(true));
    }

    /** The masters themselves. */
    @Override
    public Weights view() {
        return name -> {
            NDArray weight = masters.get(name);
            if (weight == null) {
                throw new IllegalStateException("no trained weight named '" + name + "'");
            }
            return weight;
        };
    }

    /** Nothing to do: the view is the masters. */
    @Override
    public void refresh() {
    }

    @Override
    public void drainGradients() {
        masters.forEach((name, weight) -> {
            NDArray gradient = weight.getGradient();
            try (NDManager scratch = weight.getManager().newSubManager()) {
                gradient.attach(scratch);
                gradients.get(name).addi(gradient);
                InPlace.zero(gradient);
            }
        });
    }

    /** The masters stop requiring a gradient. */
    @Override
    public void close() {
        masters.values().forEach(weight -> weight.setRequiresGradient(false));
    }
}
