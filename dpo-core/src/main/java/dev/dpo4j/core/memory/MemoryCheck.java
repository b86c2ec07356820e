package dev.dpo4j.core.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Refuses a run whose memory estimate exceeds its devices' free memory before its model is loaded, naming the
 * options that would make it fit, each found by estimating again with that one change: {@code use_peft}, {@code
 * gradient_checkpointing true}, {@code offload_optimizer true} (alone or with checkpointing), the largest {@code
 * per_device_train_batch_size} and the longest {@code max_length} that fit, and for full-parameter training {@code
 * zero_stage 2} or the fewest ranks ({@code --nproc_per_node}) that fit at that stage. More devices of one process are
 * never named: each holds a whole copy and its own micro-batch, and the primary keeps the optimizer, so they do not
 * lower the estimate of any device; more ranks do, as they split the optimizer state. A run whose optimizer state lives in host memory ({@code offload_optimizer}) is refused too when that state
 * exceeds the host's available memory, and a fix is named only where the host holds it.
 */
public final class MemoryCheck {

    private MemoryCheck() {
    }

    /**
     * The estimate of {@code inputs} on devices with {@code free} bytes free each ({@link DeviceMemory#free}; {@link
     * Long#MAX_VALUE} on the host, which is never refused) and the host memory available now ({@link
     * DeviceMemory#hostAvailable}).
     *
     * @throws InsufficientMemoryException when it does not fit, naming what would
     */
    public static MemoryEstimate requireFits(MemoryInputs inputs, long free) {
        return requireFits(inputs, free, free == Long.MAX_VALUE ? Long.MAX_VALUE : DeviceMemory.hostAvailable());
    }

    /**
     * As {@link #requireFits(MemoryInputs, long)} on a host with {@code hostAvailable} bytes available for the
     * optimizer state when it lives there ({@code offload_optimizer}; checked for GPUs only, as the devices are).
     *
     * @throws InsufficientMemoryException when it does not fit, naming what would
     */
    public static MemoryEstimate requireFits(MemoryInputs inputs, long free, long hostAvailable) {
        MemoryEstimate estimate = inputs.estimate(free);
        if (estimate.total() > free) {
            throw new InsufficientMemoryException(estimate, free, remedy(inputs, free, hostAvailable));
        }
        if (!fitsHost(estimate, hostAvailable)) {
            throw InsufficientMemoryException.ofHost(estimate, hostAvailable, hostRemedy(inputs, free));
        }
        return estimate;
    }

    /** Whether the optimizer state {@code estimate} keeps in host memory, if any, fits {@code hostAvailable} bytes. */
    private static boolean fitsHost(MemoryEstimate estimate, long hostAvailable) {
        return estimate.host() == null || !estimate.gpu() || estimate.host().total() <= hostAvailable;
    }

    /**
     * The sentence naming the options that would make {@code inputs} fit in {@code free} bytes, or saying none; a fix
     * that keeps the optimizer state in host memory is named only where it fits {@code hostAvailable} bytes.
     */
    static String remedy(MemoryInputs inputs, long free, long hostAvailable) {
        List<String> fixes = new ArrayList<>();
        String peft = inputs.offloadOptimizer() ? "use_peft true with offload_optimizer false" : "use_peft true";
        boolean checkpointing = Boolean.TRUE.equals(inputs.gradientCheckpointing());
        if (!inputs.usePeft()) {
            fit(fixes, peft, inputs.withUsePeft(true), free, hostAvailable);
        }
        if (!checkpointing) {
            fit(fixes, "gradient_checkpointing true", inputs.withGradientCheckpointing(true), free, hostAvailable);
        }
        if (!inputs.usePeft() && !inputs.offloadOptimizer() && inputs.stateShards() == 1
                && !fit(fixes, "offload_optimizer true", inputs.withOffloadOptimizer(true), free, hostAvailable)
                && !checkpointing) {
            fit(fixes, "offload_optimizer true with gradient_checkpointing true",
                    inputs.withOffloadOptimizer(true).withGradientCheckpointing(true), free, hostAvailable);
        }
        ranks(fixes, inputs, free, hostAvailable);
        largest(fixes, "per_device_train_batch_size", inputs.perDeviceTrainBatchSize(),
                inputs::withPerDeviceTrainBatchSize, free, hostAvailable);
        largest(fixes, "max_length", inputs.maxLength(), inputs::withMaxLength, free, hostAvailable);
        if (fixes.isEmpty() && !inputs.usePeft() && !checkpointing) {
            fit(fixes, peft + " and gradient_checkpointing true",
                    inputs.withUsePeft(true).withGradientCheckpointing(true), free, hostAvailable);
        }
        return fixes.isEmpty() ? "No change of use_peft, gradient_checkpointing, per_device_train_batch_size or "
                + "max_length alone makes it fit; it needs a device with more memory."
                : "It would fit with " + String.join(", or ", fixes) + ".";
    }

    /**
     * The sentence naming what would make {@code inputs}, whose optimizer state does not fit in host memory, fit with
     * that state on devices of {@code free} bytes: {@code offload_optimizer false}, or with {@code use_peft true}.
     */
    static String hostRemedy(MemoryInputs inputs, long free) {
        List<String> fixes = new ArrayList<>();
        MemoryInputs onDevice = inputs.withOffloadOptimizer(false);
        fit(fixes, "offload_optimizer false", onDevice, free, Long.MAX_VALUE);
        if (fixes.isEmpty()) {
            fit(fixes, "use_peft true with offload_optimizer false", onDevice.withUsePeft(true), free, Long.MAX_VALUE);
        }
        return fixes.isEmpty() ? "Neither offload_optimizer false nor use_peft true fits the GPU; it needs a host with "
                + "more memory." : "It would fit with " + String.join(", or ", fixes) + ", or on a host with more "
                + "memory.";
    }

    /**
     * For full-parameter training with the state on the GPU: ZeRO stage 2 on this run's ranks, or the fewest ranks
     * (of 2, 4 and 8 GPUs, one process each) that fit at stage 2.
     */
    private static void ranks(List<String> fixes, MemoryInputs inputs, long free, long hostAvailable) {
        if (inputs.usePeft() || inputs.offloadOptimizer()) {
            return;
        }
        if (inputs.stateShards() > 1) {
            if (!inputs.shardedGradients()) {
                fit(fixes, "zero_stage 2", inputs.withRanks(inputs.stateShards(), 2), free, hostAvailable);
            }
            return;
        }
        for (int ranks = 2; ranks <= 8; ranks *= 2) {
            if (fit(fixes, "--nproc_per_node " + ranks + " with zero_stage 2",
                    inputs.withRanks(ranks, 2), free, hostAvailable)) {
                return;
            }
        }
    }

    /** Adds {@code fix} with its estimate when {@code changed} fits; whether it did. */
    private static boolean fit(List<String> fixes, String fix, MemoryInputs changed, long free, long hostAvailable) {
        MemoryEstimate estimate = changed.estimate(free);
        if (estimate.total() <= free && fitsHost(estimate, hostAvailable)) {
            fixes.add(fix + " (" + MemoryEstimate.size(estimate.total()) + ")");
            return true;
        }
        return false;
    }

    /** Adds {@code option} at the largest value below {@code current} that fits, if one does (a binary search). */
    private static void largest(List<String> fixes, String option, int current, IntFunction<MemoryInputs> with,
            long free, long hostAvailable) {
        int low = 0;
        int high = current;
        while (high - low > 1) {
            int middle = low + (high - low) / 2;
            if (with.apply(middle).estimate(free).total() <= free) {
                low = middle;
            } else {
                high = middle;
            }
        }
        if (low > 0) {
            fit(fixes, option + " " + low, with.apply(low), free, hostAvailable);
        }
    }
}
