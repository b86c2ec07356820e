package dev.dpo4j.core.internal.placement;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dpo4j.core.kernels.InPlace;
import dev.dpo4j.core.model.Weights;
import dev.dpo4j.core.placement.DeviceWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Float32 training on the primary device: the forward pass reads the float32 masters themselves, which require a
 * gradient; their gradients are moved into the optimizer's flat buffers.
 */
public final class MasterWeights implements DeviceWeights {

    private final Map<String, NDArray> masters;
    private final GradientSink sink;

    /**
     * @param masters the float32 weights by name (they start requiring a gradient)
     * @param gradients the optimizer's float32 gradient views by name
     */
    public MasterWeights(Map<String, NDArray> masters, Map<String, NDArray> gradients) {
        this(masters, (names, addends) -> {
            for (int i = 0; i < names.size(); i++) {
                gradients.get(names.get(i)).addi(addends.get(i));
                InPlace.zero(addends.get(i));
            }
        });
    }

    /** As the other constructor, the drained gradients sent to {@code sink}. */
    public MasterWeights(Map<String, NDArray> masters, GradientSink sink) {
        this.masters = masters;
        this.sink = sink;
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
        if (masters.isEmpty()) {
            return;
        }
        List<String> names = new ArrayList<>(masters.keySet());
        try (NDManager scratch = masters.values().iterator().next().getManager().newSubManager()) {
            List<NDArray> addends = new ArrayList<>(names.size());
            for (String name : names) {
                NDArray gradient = masters.get(name).getGradient();
                gradient.attach(scratch);
                addends.add(gradient);
            }
            sink.drain(names, addends);
        }
    }

    /** The masters stop requiring a gradient. */
    @Override
    public void close() {
        masters.values().forEach(weight -> weight.setRequiresGradient(false));
    }
}
