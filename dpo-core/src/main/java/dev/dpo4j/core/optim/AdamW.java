package dev.dpo4j.core.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW with decoupled weight decay (Loshchilov and Hutter, arXiv:1711.05101), numerically as
 * {@code torch.optim.AdamW}: {@code w -= lr*wd*w; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 * w -= lr * m_hat / (sqrt(v_hat) + eps)}. Each update runs as one fused native call through DJL's
 * {@code adamUpdate}. Its moments are exposed so checkpoints can save and restore them, which DJL's own optimizer
 * does not allow. Weight decay skips biases and norm weights, as transformers' Trainer does.
 */
public final class AdamW {

    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
    private final NDManager manager;
    private long steps;

    /**
     * Creates the optimizer; its moment arrays live in a sub-manager of {@code parent}.
     *
     * @param weightDecay decoupled decay applied to matrices (not to biases or norm weights)
     */
    public AdamW(NDManager parent, double beta1, double beta2, double epsilon, double weightDecay) {
        this.manager = parent.newSubManager();
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
    }

    /**
     * Applies one step to every parameter that has a gradient, then zeroes the gradients.
     *
     * @param parameters the float32 master weights by name
     * @param gradients their gradients by name
     * @param learningRate this step's rate
     * @param gradientScale factor applied to every gradient first (the global-norm clipping coefficient)
     */
    public void step(Map<String, NDArray> parameters, Map<String, NDArray> gradients, double learningRate,
            double gradientScale) {
        steps++;
        double correction1 = 1 - Math.pow(beta1, steps);
        double sqrtCorrection2 = Math.sqrt(1 - Math.pow(beta2, steps));
        float stepSize = (float) (learningRate * sqrtCorrection2 / correction1);
        float scaledEpsilon = (float) (epsilon * sqrtCorrection2);
        for (Map.Entry<String, NDArray> entry : parameters.entrySet()) {
            String name = entry.getKey();
            NDArray weight = entry.getValue();
            NDArray gradient = gradients.get(name);
            if (gradient == null) {
                continue;
            }
            NDArray mean = firstMoments.computeIfAbsent(name, n -> manager.zeros(weight.getShape()));
            NDArray variance = secondMoments.computeIfAbsent(name, n -> manager.zeros(weight.getShape()));
            float decay = decays(name) ? (float) weightDecay : 0f;
            // DJL's PyTorch adamUpdate takes (weight, gradient, mean, variance) and zeroes the weight's gradient
            weight.getNDArrayInternal().adamUpdate(new NDList(weight, gradient, mean, variance), new NDList(weight),
                    (float) learningRate, stepSize, decay, (float) gradientScale, -1f, (float) beta1,
                    (float) beta2, scaledEpsilon, false, true);
        }
    }

    /** Whether decoupled weight decay applies to the named weight: not to biases or norm scales. */
    static boolean decays(String name) {
        return !name.endsWith(".bias") && !name.contains("norm");
    }

    /** Steps taken so far. */
    public long steps() {
        return steps;
    }

    /** The moments by {@code exp_avg.NAME} and {@code exp_avg_sq.NAME}, for checkpoints. */
    public Map<String, NDArray> state() {
        Map<String, NDArray> state = new LinkedHashMap<>();
        firstMoments.forEach((name, array) -> state.put("exp_avg." + name, array));
        secondMoments.forEach((name, array) -> state.put("exp_avg_sq." + name, array));
        return state;
    }

    /** Restores moments saved by {@link #state()} and the step count; arrays are copied into this optimizer. */
    public void restore(Map<String, NDArray> state, long stepCount) {
        state.forEach((key, array) -> {
            NDArray copy = array.toDevice(manager.getDevice(), true);
            copy.attach(manager);
            if (key.startsWith("exp_avg_sq.")) {
                secondMoments.put(key.substring("exp_avg_sq.".length()), copy);
            } else if (key.startsWith("exp_avg.")) {
                firstMoments.put(key.substring("exp_avg.".length()), copy);
            } else {
                throw new IllegalArgumentException("unexpected optimizer state key '" + key + "'");
            }
        });
        this.steps = stepCount;
    }

    /** Frees the moments. */
    public void close() {
        manager.close();
    }
}
