package dev.dpo4j.core.internal.exchange;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dpo4j.core.kernels.InPlace;
import dev.dpo4j.core.model.Weights;
import java.util.Map;

/**
 * Float32 training on the primary device: the forward pass reads the float32 masters themselves, which require a
 * gradient; their gradients are moved into the optimizer's flat buffers.
 */
public final class MasterWeights implements WorkerWeights {

    private final Map<String, NDArray> masters;
    private final Map<String, NDArray> gradients;
    private final Weights view;

    /**
     * @param masters the float32 weights by name (they start requiring a gradient)
     * @param gradients the optimizer's float32 gradient views by name
     * @param view the lookup of {@code masters} the forward pass uses
     */
    public MasterWeights(Map<String, NDArray> masters, Map<String, NDArray> gradients, Weights view) {
        this.masters = masters;
        this.gradients = gradients;
        this.view = view;
        masters.values().forEach(weight -> weight.setRequiresGradient(true));
    }

    @Override
    public Weights view() {
        return view;
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
