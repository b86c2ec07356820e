package dev.dpo4j.core.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.dpo4j.core.kernels.InPlace;
import dev.dpo4j.core.kernels.Kernels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

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
    private static final List<String> MOMENTS = List.of("exp_avg", "exp_avg_sq");
    private final Shard shard;
    private final boolean partGradientsOnly;
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
        this(parent, parameters, beta1, beta2, epsilon, weightDecay, kernels, Shard.WHOLE);
    }

    /**
     * As the other constructors, updating only {@code shard}'s part of each flat buffer: the weights stay whole (every
     * rank reads them all), the update reads part-sized gradients ({@link FlatGroup#partGradients()}) that the caller
     * fills, and the moments are part-sized.
     */
    public AdamW(NDManager parent, Map<String, NDArray> parameters, double beta1, double beta2, double epsilon,
            double weightDecay, Kernels kernels, Shard shard) {
        this(parent, parameters, beta1, beta2, epsilon, weightDecay, kernels, shard, false);
    }

    /**
     * As the other constructors; with {@code partGradientsOnly} (ZeRO stage 2) no whole gradient buffer is kept:
     * {@link #gradients()} is empty and the caller adds every gradient into this shard's part
     * ({@link FlatGroup#partGradients()}) itself.
     */
    public AdamW(NDManager parent, Map<String, NDArray> parameters, double beta1, double beta2, double epsilon,
            double weightDecay, Kernels kernels, Shard shard, boolean partGradientsOnly) {
        if (partGradientsOnly && shard.ranks() == 1) {
            throw new IllegalArgumentException("gradients kept only in part need a shard of several ranks");
        }
        this.kernels = kernels;
        this.shard = shard;
        this.partGradientsOnly = partGradientsOnly;
        this.manager = parent.newSubManager();
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
        Map<String, NDArray> decayed = new LinkedHashMap<>();
        Map<String, NDArray> plain = new LinkedHashMap<>();
        parameters.forEach((name, weight) -> (decays(name) ? decayed : plain).put(name, weight));
        this.groups = List.of(new Group("decayed", decayed, (float) weightDecay), new Group("not_decayed", plain, 0f));
    }

    /** The part of the flat buffers this optimizer updates. */
    @Override
    public Shard shard() {
        return shard;
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
                .map(g -> new FlatGroup(g.names, g.sizes, g.weight, g.gradient, g.partGradient, g.key)).toList();
    }

    /**
     * One flat buffer group.
     *
     * @param names the members in buffer order
     * @param sizes each member's element count, in the same order
     * @param weights the float32 weights, every member a view of its slice, then zeros up to a multiple of the ranks
     * @param gradients the float32 gradients, laid out as the weights
     * @param partGradients the gradients the update reads: this shard's part (the whole {@code gradients} when
     *     the shard is whole)
     * @param key the group's name in a sharded checkpoint ({@code decayed}, {@code not_decayed})
     */
    public record FlatGroup(List<String> names, List<Long> sizes, NDArray weights, NDArray gradients,
            NDArray partGradients, String key) {

        /** A group whose update reads the whole gradient buffer. */
        public FlatGroup(List<String> names, List<Long> sizes, NDArray weights, NDArray gradients) {
            this(names, sizes, weights, gradients, gradients, "group");
        }

        /** The members' element count, without padding. */
        public long length() {
            return sizes.stream().mapToLong(Long::longValue).sum();
        }
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
        return step(learningRate, maxNorm, lossScale, squared -> { });
    }

    /**
     * As {@link #step(double, double, double)}, the squared norm of this shard's gradients handed to
     * {@code sumOverShards} first (a 0-d float32 array to sum in place over the ranks), so every rank clips by the
     * global norm and skips the same steps.
     */
    public double step(double learningRate, double maxNorm, double lossScale, Consumer<NDArray> sumOverShards) {
        steps++;
        double norm;
        try (NDManager scratch = manager.newSubManager()) {
            NDArray squared = squaredNorm(scratch);
            sumOverShards.accept(squared);
            NDArray unscaled = squared.sqrt().div((float) lossScale);
            NDArray foundInf = unscaled.isInfinite().logicalOr(unscaled.isNaN()).toType(DataType.FLOAT32, false);
            NDArray clip = maxNorm > 0 ? unscaled.add(1e-6f).pow(-1).mul((float) maxNorm).minimum(1f)
                    : unscaled.onesLike();
            NDArray divisor = clip.pow(-1).mul((float) lossScale);
            for (Group group : groups) {
                if (group.weight != null) {
                    kernels.adamW(group.part, group.partGradient, group.mean, group.variance, new Kernels.AdamWStep(
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
            if (group.weight != null) {
                group.partGradient.tempAttach(scratch);
                sums.add(group.partGradient.norm().square()); // norm() makes no buffer-sized temporary
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
            if (group.weight != null && group.partGradient != group.gradient) {
                InPlace.zero(group.partGradient);
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
     * Restores per-parameter moments ({@code exp_avg.NAME}, {@code exp_avg_sq.NAME}, as an unsharded optimizer's
     * {@link #state()} names them) into this shard's part, and the step count. Every moment must be there, in its
     * weight's shape, and no other; nothing is copied otherwise.
     *
     * @throws IllegalArgumentException naming the first key missing, unexpected or of another shape
     */
    @Override
    public void restore(Map<String, NDArray> saved, long stepCount) {
        requireSteps(stepCount);
        Map<String, Shape> expected = momentShapes();
        for (Map.Entry<String, Shape> entry : expected.entrySet()) {
            NDArray array = saved.get(entry.getKey());
            if (array == null) {
                throw new IllegalArgumentException("optimizer state key '" + entry.getKey() + "' is missing");
            }
            if (!array.getShape().equals(entry.getValue())) {
                throw new IllegalArgumentException("optimizer state key '" + entry.getKey() + "' has shape "
                        + array.getShape() + " where its weight's is " + entry.getValue());
            }
        }
        for (String key : saved.keySet()) {
            if (!expected.containsKey(key)) {
                throw new IllegalArgumentException("unexpected optimizer state key '" + key + "'");
            }
        }
        for (Group group : groups) {
            long offset = 0;
            for (int m = 0; m < group.names.size(); m++) {
                for (String moment : MOMENTS) {
                    group.restore(moment, offset, saved.get(moment + "." + group.names.get(m)));
                }
                offset += group.sizes.get(m);
            }
        }
        this.steps = stepCount;
    }

    @Override
    public Map<String, Shape> momentShapes() {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        for (String moment : MOMENTS) {
            for (Group group : groups) {
                for (int m = 0; m < group.names.size(); m++) {
                    shapes.put(moment + "." + group.names.get(m), group.shapes.get(m));
                }
            }
        }
        return shapes;
    }

    @Override
    public Map<String, Long> wholeLengths() {
        Map<String, Long> lengths = new LinkedHashMap<>();
        for (String moment : MOMENTS) {
            groups.stream().filter(g -> g.weight != null).forEach(g -> lengths.put(moment + "." + g.key, g.length));
        }
        return lengths;
    }

    @Override
    public void restorePart(String key, long offset, NDArray values, long stepCount) {
        requireSteps(stepCount);
        for (Group group : groups) {
            for (String moment : MOMENTS) {
                if (group.weight != null && key.equals(moment + "." + group.key)) {
                    if (offset < 0 || offset + values.getShape().size() > group.length) {
                        throw new IllegalArgumentException("optimizer state key '" + key + "' has elements "
                                + offset + " to " + (offset + values.getShape().size()) + " of "
                                + group.length);
                    }
                    group.restore(moment, offset, values);
                    this.steps = stepCount;
                    return;
                }
            }
        }
        throw new IllegalArgumentException("unexpected optimizer state key '" + key + "'");
    }

    private static void requireSteps(long stepCount) {
        if (stepCount < 0) {
            throw new IllegalArgumentException("step count " + stepCount + " is negative");
        }
    }

    /** Frees the moments and gradient buffers (the parameters keep their storage). */
    @Override
    public void close() {
        manager.close();
    }

    /**
     * One flat weight buffer (padded to a multiple of the ranks) with its gradient, the part this shard updates, its
     * part-sized moments, and every member's views into them.
     */
    private final class Group {
        private final String key;
        private final NDArray weight;
        private final NDArray gradient;
        private final NDArray part;
        private final NDArray partGradient;
        private final NDArray mean;
        private final NDArray variance;
        private final float decay;
        private final List<String> names = new ArrayList<>();
        private final List<Long> sizes = new ArrayList<>();
        private final List<Shape> shapes = new ArrayList<>();
        private long length;

        Group(String key, Map<String, NDArray> members, float decay) {
            this.key = key;
            this.decay = decay;
            if (members.isEmpty()) {
                weight = gradient = part = partGradient = mean = variance = null;
                return;
            }
            NDList flat = new NDList();
            members.values().forEach(w -> {
                flat.add(w.flatten());
                length += w.getShape().size();
            });
            long partLength = shard.partLength(length);
            long padding = partLength * shard.ranks() - length;
            if (padding > 0) {
                NDArray first = flat.get(0);
                flat.add(first.getManager().zeros(new Shape(padding), first.getDataType(), first.getDevice()));
            }
            weight = NDArrays.concat(flat);
            weight.attach(manager);
            flat.close();
            gradient = partGradientsOnly ? null : manager.zeros(weight.getShape(), DataType.FLOAT32,
                    weight.getDevice());
            Shape partShape = new Shape(partLength);
            boolean whole = shard.ranks() == 1;
            part = whole ? weight : view(weight, partRange(), partShape);
            partGradient = whole ? gradient : manager.zeros(partShape, DataType.FLOAT32, weight.getDevice());
            mean = manager.zeros(partShape, DataType.FLOAT32, weight.getDevice());
            variance = manager.zeros(partShape, DataType.FLOAT32, weight.getDevice());
            long offset = 0;
            for (Map.Entry<String, NDArray> member : members.entrySet()) {
                NDArray parameter = member.getValue();
                long count = parameter.getShape().size();
                names.add(member.getKey());
                sizes.add(count);
                shapes.add(parameter.getShape());
                NDIndex slice = new NDIndex("{}:{}", offset, offset + count);
                parameter.intern(weight.get(slice).reshape(parameter.getShape()));
                if (gradient != null) {
                    gradients.put(member.getKey(), view(gradient, slice, parameter.getShape()));
                }
                if (whole) {
                    state.put("exp_avg." + member.getKey(), view(mean, slice, parameter.getShape()));
                    state.put("exp_avg_sq." + member.getKey(), view(variance, slice, parameter.getShape()));
                }
                offset += count;
            }
            if (!whole) {
                state.put("exp_avg." + key, mean);
                state.put("exp_avg_sq." + key, variance);
            }
        }

        /**
         * Copies {@code values}, elements {@code offset ..} of the whole flat {@code moment} (unpadded), into this
         * shard's part of it where they overlap.
         */
        void restore(String moment, long offset, NDArray values) {
            long partLength = shard.partLength(length);
            long from = Math.max(offset, shard.rank() * partLength);
            long to = Math.min(offset + values.getShape().size(), (shard.rank() + 1) * partLength);
            if (from >= to) {
                return;
            }
            NDArray target = moment.equals("exp_avg") ? mean : variance;
            try (NDManager scratch = manager.newSubManager()) {
                NDArray source = values.flatten().get(new NDIndex("{}:{}", from - offset, to - offset));
                NDArray slot = target.get(new NDIndex("{}:{}", from - shard.rank() * partLength,
                        to - shard.rank() * partLength));
                source.attach(scratch);
                slot.attach(scratch);
                InPlace.assign(slot, source);
            }
        }

        /** This shard's elements of the padded buffer. */
        private NDIndex partRange() {
            long partLength = shard.partLength(length);
            return new NDIndex("{}:{}", shard.rank() * partLength, (shard.rank() + 1) * partLength);
        }

        private NDArray view(NDArray buffer, NDIndex slice, Shape shape) {
            NDArray view = buffer.get(slice).reshape(shape);
            view.attach(manager);
            return view;
        }
    }
}
