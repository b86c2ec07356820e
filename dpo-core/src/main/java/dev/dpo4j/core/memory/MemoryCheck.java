package dev.dpo4j.core.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Refuses a run whose memory estimate exceeds its devices' free memory before its model is loaded, naming the
 * options that would make it fit, each found by estimating again with that one change: {@code use_peft}, {@code
 * gradient_checkpointing true}, the largest {@code per_device_train_batch_size} and the longest {@code max_length}
 * that fit. More devices are never named: each holds a whole copy and its own micro-batch, and the primary keeps the
 * optimizer, so they do not lower the estimate of any device.
 */
public final class MemoryCheck {

    private MemoryCheck() {
    }

    /**
     * The estimate of {@code inputs} on devices with {@code free} bytes free each ({@link DeviceMemory#free}; {@link
     * Long#MAX_VALUE} on the host, which is never refused).
     *
     * @throws InsufficientMemoryException when it does not fit, naming what would
     */
    public static MemoryEstimate requireFits(MemoryInputs inputs, long free) {
        MemoryEstimate estimate = inputs.estimate(free);
        if (estimate.total() <= free) {
            return estimate;
        }
        throw new InsufficientMemoryException(estimate, free, remedy(inputs, free));
    }

    /** The sentence naming the options that would make {@code inputs} fit in {@code free} bytes, or saying none. */
    static String remedy(MemoryInputs inputs, long free) {
        List<String> fixes = new ArrayList<>();
        if (!inputs.usePeft()) {
            fit(fixes, "use_peft true", inputs.withUsePeft(true), free);
        }
        if (!Boolean.TRUE.equals(inputs.gradientCheckpointing())) {
            fit(fixes, "gradient_checkpointing true", inputs.withGradientCheckpointing(true), free);
        }
        largest(fixes, "per_device_train_batch_size", inputs.perDeviceTrainBatchSize(),
                inputs::withPerDeviceTrainBatchSize, free);
        largest(fixes, "max_length", inputs.maxLength(), inputs::withMaxLength, free);
        if (fixes.isEmpty() && !inputs.usePeft() && !Boolean.TRUE.equals(inputs.gradientCheckpointing())) {
            fit(fixes, "use_peft true with gradient_checkpointing true",
                    inputs.withUsePeft(true).withGradientCheckpointing(true), free);
        }
        return fixes.isEmpty() ? "No change of use_peft, gradient_checkpointing, per_device_train_batch_size or "
                + "max_length alone makes it fit; it needs a device with more memory."
                : "It would fit with " + String.join(", or ", fixes) + ".";
    }

    /** Adds {@code fix} with its estimate when {@code changed} fits. */
    private static void fit(List<String> fixes, String fix, MemoryInputs changed, long free) {
        long total = changed.estimate(free).total();
        if (total <= free) {
            fixes.add(fix + " (" + MemoryEstimate.size(total) + ")");
        }
    }

    /** Adds {@code option} at the largest value below {@code current} that fits, if one does (a binary search). */
    private static void largest(List<String> fixes, String option, int current, IntFunction<MemoryInputs> with,
            long free) {
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
            fit(fixes, option + " " + low, with.apply(low), free);
        }
    }
}
