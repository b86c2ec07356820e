package dev.dpo4j.core.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.kernels.InPlace;
import dev.dpo4j.core.kernels.Kernels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW with decoupled weight decay (Loshchilov and Hutter, arXiv:1711.05101), numerically as
 * {@code torch.optim.AdamW}: {@code w -= lr*wd*w; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 * w -= lr * m_hat / (sqrt(v_hat) + eps)}. Weight decay skips biases and norm weights, as transformers' Trainer does.
 *
 * <p>The weights are flattened: each group (decayed, not decayed) lives in one contiguous float32 buffer, and every
 * parameter becomes a view of its slice, as are its gradient, first and second moments. A step is then one update
 * per group through {@link Kernels#adamW} (DJL's native {@code adamUpdate} by default) instead of one per tensor,
 * and the gradient norm two
 * reductions. The moments are exposed so checkpoints can save and restore them, which DJL's own optimizer does not
 * allow.
 */
public final class AdamW implements OptimizerState, AutoCloseable {

    private final Kernels kernels;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    private final NDManager manager;
    private final List<Group> groups;
    private final Map<String, NDArray> gradients = new LinkedHashMap<>();
    private final Map<String, NDArray> state = new LinkedHashMap<>();
    private long steps;

    /**
     * Takes over {@code parameters}: each array is re-pointed, in place, at its slice of a flat buffer (its values
     * kept), so the caller's arrays see every update.
     *
     * @param weightDecay decoupled decay applied to matrices (not to biases or norm weights)
     */
    public AdamW(NDManager parent, Map<String, NDArray> parameters, double beta1, double beta2, double epsilon,
            double weightDecay) {
        this(parent, parameters, beta1, beta2, epsilon, weightDecay, Kernels.djl());
    }

    /** As the other constructor, updating through {@code kernels}. */
    public AdamW(NDManager parent, Map<String, NDArray> parameters, double beta1, double beta2, double epsilon,
            double weightDecay, Kernels kernels) {
        this.kernels = kernels;
        this.manager = parent.newSubManager();
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
        Map<String, NDArray> decayed = new LinkedHashMap<>();
        Map<String, NDArray> plain = new LinkedHashMap<>();
        parameters.forEach((name, weight) -> (decays(name) ? decayed : plain).put(name, weight));
        this.groups = List.of(new Group(decayed, (float) weightDecay), new Group(plain, 0f));
    }

    /** Whether decoupled weight decay applies to the named weight: not to biases or norm scales. */
    static boolean decays(String name) {
        return !name.endsWith(".bias") && !name.contains("norm");
    }

    /**
     * The float32 gradient of every parameter by name, views of the flat gradient buffers: add gradients into them
     * before {@link #step}, which clears them.
     */
    public Map<String, NDArray> gradients() {
        return gradients;
    }

    /**
     * The flat buffers, one per decay group that has members: the members' names and element counts in buffer order,
     * and the weight and gradient buffers themselves. Data parallelism moves whole runs of them at once.
     */
    public List<FlatGroup> flatGroups() {
        return groups.stream().filter(g -> g.weight != null)
                .map(g -> new FlatGroup(g.names, g.sizes, g.weight, g.gradient)).toList();
    }

    /**
     * One flat buffer group.
     *
     * @param names the members in buffer order
     * @param sizes each member's element count, in the same order
     * @param weights the float32 weights, every member a view of its slice
     * @param gradients the float32 gradients, laid out as the weights
     */
    public record FlatGroup(List<String> names, List<Long> sizes, NDArray weights, NDArray gradients) {
    }

    /** The squared global norm of the gradients (one device-to-host copy). */
    public double squaredGradientNorm() {
        try (NDManager scratch = manager.newSubManager()) {
            return squaredNorm(scratch).getFloat();
        }
    }

    /**
     * Applies one step unless a gradient is inf or NaN, then clears the gradients, with the clipping and the check on
     * the device: the global norm, the clip factor {@code min(1, maxNorm / (norm + 1e-6))} and the overflow flag are
     * computed there and handed to the update (the fused kernel's {@code grad_scale} and {@code found_inf}), and the
     * norm is read back once everything is queued. A skipped step leaves weights, moments and the step count as they
     * were.
     *
     * @param maxNorm the global-norm clip (0: none)
     * @param lossScale the factor the gradients carry (float16 loss scaling; 1 otherwise)
     * @return the global norm of the unscaled gradients before clipping; not finite when the step was skipped
     */
    public double step(double learningRate, double maxNorm, double lossScale) {
        steps++;
        double norm;
        try (NDManager scratch = manager.newSubManager()) {
            NDArray unscaled = squaredNorm(scratch).sqrt().div((float) lossScale);
            NDArray foundInf = unscaled.isInfinite().logicalOr(unscaled.isNaN()).toType(DataType.FLOAT32, false);
            NDArray clip = maxNorm > 0 ? unscaled.add(1e-6f).pow(-1).mul((float) maxNorm).minimum(1f)
                    : unscaled.onesLike();
            NDArray divisor = clip.pow(-1).mul((float) lossScale);
            for (Group group : groups) {
                if (group.weight != null) {
                    kernels.adamW(group.weight, group.gradient, group.mean, group.variance, new Kernels.AdamWStep(
                            learningRate, group.decay, beta1, beta2, epsilon, steps, 1), divisor, foundInf);
                }
            }
            clearGradients();
            norm = unscaled.getFloat();
        }
        if (!Double.isFinite(norm)) {
            steps--;
        }
        return norm;
    }

    /** The squared global norm of the gradients, a 0-d array in {@code scratch}. */
    private NDArray squaredNorm(NDManager scratch) {
        NDList sums = new NDList();
        for (Group group : groups) {
            if (group.gradient != null) {
                group.gradient.tempAttach(scratch);
                sums.add(group.gradient.norm().square()); // norm() makes no buffer-sized temporary
            }
        }
        return sums.isEmpty() ? scratch.zeros(new ai.djl.ndarray.types.Shape()) : NDArrays.stack(sums).sum();
    }

    /** Zeroes the gradient buffers, inf and NaN included (after a skipped step). */
    public void clearGradients() {
        for (Group group : groups) {
            if (group.gradient != null) {
                InPlace.zero(group.gradient);
            }
        }
    }

    /** Steps taken so far. */
    @Override
    public long steps() {
        return steps;
    }

    /** The moments as {@code exp_avg.NAME} and {@code exp_avg_sq.NAME} views, for checkpoints. */
    @Override
    public Map<String, NDArray> state() {
        return state;
    }

    /**
     * Restores moments saved by {@link #state()} (copied on the device into the flat buffers) and the step count.
     * Every moment must be there, in its weight's shape, and no other; nothing is copied otherwise.
     *
     * @throws IllegalArgumentException naming the first key missing, unexpected or of another shape
     */
    @Override
    public void restore(Map<String, NDArray> saved, long stepCount) {
        if (stepCount < 0) {
            throw new IllegalArgumentException("step count " + stepCount + " is negative");
        }
        for (Map.Entry<String, NDArray> entry : state.entrySet()) {
            NDArray array = saved.get(entry.getKey());
            if (array == null) {
                throw new IllegalArgumentException("optimizer state key '" + entry.getKey() + "' is missing");
            }
            if (!array.getShape().equals(entry.getValue().getShape())) {
                throw new IllegalArgumentException("optimizer state key '" + entry.getKey() + "' has shape "
                        + array.getShape() + " where its weight's is " + entry.getValue().getShape());
            }
        }
        for (String key : saved.keySet()) {
            if (!state.containsKey(key)) {
                throw new IllegalArgumentException("unexpected optimizer state key '" + key + "'");
            }
        }
        state.forEach((key, target) -> InPlace.assign(target, saved.get(key)));
        this.steps = stepCount;
    }

    /** Frees the moments and gradient buffers (the parameters keep their storage). */
    @Override
    public void close() {
        manager.close();
    }

    /** One flat weight buffer with its gradient and moments, and every member's views into them. */
    private final class Group {
        private final NDArray weight;
        private final NDArray gradient;
        private final NDArray mean;
        private final NDArray variance;
        private final float decay;
        private final List<String> names = new ArrayList<>();
        private final List<Long> sizes = new ArrayList<>();

        Group(Map<String, NDArray> members, float decay) {
            this.decay = decay;
            if (members.isEmpty()) {
                weight = gradient = mean = variance = null;
                return;
            }
            NDList flat = new NDList();
            members.values().forEach(w -> flat.add(w.flatten()));
            weight = NDArrays.concat(flat);
            weight.attach(manager);
            flat.close();
            long size = weight.getShape().size();
            gradient = manager.zeros(weight.getShape(), DataType.FLOAT32, weight.getDevice());
            mean = manager.zeros(weight.getShape(), DataType.FLOAT32, weight.getDevice());
            variance = manager.zeros(weight.getShape(), DataType.FLOAT32, weight.getDevice());
            long offset = 0;
            for (Map.Entry<String, NDArray> member : members.entrySet()) {
                NDArray parameter = member.getValue();
                long count = parameter.getShape().size();
                names.add(member.getKey());
                sizes.add(count);
                NDIndex slice = new NDIndex("{}:{}", offset, offset + count);
                parameter.intern(weight.get(slice).reshape(parameter.getShape()));
                gradients.put(member.getKey(), view(gradient, slice, parameter));
                state.put("exp_avg." + member.getKey(), view(mean, slice, parameter));
                state.put("exp_avg_sq." + member.getKey(), view(variance, slice, parameter));
                offset += count;
            }
            if (offset != size) {
                throw new IllegalStateException("flattened " + offset + " of " + size + " weights");
            }
        }

        private NDArray view(NDArray buffer, NDIndex slice, NDArray like) {
            NDArray view = buffer.get(slice).reshape(like.getShape());
            view.attach(manager);
            return view;
        }
    }
}
