package dev.dpo4j.core.memory;

import java.util.Locale;

/**
 * The memory a training run is estimated to take on each device, before it is spent ({@link MemoryInputs}): GPU
 * memory, or host memory for a run on the CPU (no CUDA context then).
 *
 * @param primary the primary device, where the optimizer lives (unless in host memory, {@link #host})
 * @param others each other data-parallel device, or null on one device
 * @param perDeviceTrainBatchSize pairs per device per micro-batch the activations were estimated for
 * @param maxLength tokens of the longest pair (prompt plus longer completion) the activations were estimated for
 * @param recomputedLayers how many decoder layers recompute in backward (0: none, the plain pass)
 * @param layers the model's decoder layers
 * @param gpu whether the devices are GPUs
 * @param host the optimizer state in host memory ({@code offload_optimizer}), or null when it is on the primary device
 */
public record MemoryEstimate(PerDevice primary, PerDevice others, int perDeviceTrainBatchSize, int maxLength,
        int recomputedLayers, int layers, boolean gpu, Host host) {

    private static final double GIB = 1L << 30;
    private static final double MIB = 1L << 20;
    private static final double KIB = 1L << 10;

    /** Whether any layer recomputes in backward. */
    public boolean recompute() {
        return recomputedLayers > 0;
    }

    /** The most any device needs (the optimizer state in host memory, {@link #host}, apart). */
    public long total() {
        return others == null ? primary.total() : Math.max(primary.total(), others.total());
    }

    /**
     * One line for the log and the start-up summary, such as {@code estimated GPU memory per device: 13.5 GiB
     * weights, 0.5 GiB gradients, 0.3 GiB optimizer state, 0 reference, 5.6 GiB activations (...), 1.0 GiB CUDA
     * context and workspace = 21.0 GiB}, the primary and the others apart on several devices, and with the
     * optimizer state in host memory {@code ; host memory (offload_optimizer): 27.0 GiB float32 masters, ... = 108.3
     * GiB}.
     */
    public String summary() {
        String activations = "activations (" + perDeviceTrainBatchSize + " pair" + (perDeviceTrainBatchSize == 1 ? ""
                : "s") + " of up to " + maxLength + " tokens, " + (recomputedLayers == 0 ? "not recomputed"
                : recomputedLayers == layers ? "recomputed" : recomputedLayers + " of " + layers + " layers recomputed")
                + ")";
        return "estimated " + (gpu ? "GPU" : "host") + " memory per device: " + (others == null ? primary.summary(activations)
                : "primary " + primary.summary(activations) + "; others " + others.summary(activations))
                + (host == null ? "" : "; " + host.summary());
    }

    /** {@code bytes} for people, to a tenth of the largest unit they make a tenth of: {@code 0}, KiB, MiB or GiB. */
    public static String size(long bytes) {
        if (bytes == 0) {
            return "0";
        }
        double unit = bytes >= GIB / 10 ? GIB : bytes >= MIB / 10 ? MIB : KIB;
        return String.format(Locale.ROOT, "%.1f %s", bytes / unit, unit == GIB ? "GiB" : unit == MIB ? "MiB" : "KiB");
    }

    /**
     * The bytes one device holds.
     *
     * @param weights the weights: float32 masters, compute-type copies and frozen base weights
     * @param gradients the trained weights' gradients, float32 and those of the compute-type copies
     * @param optimizerState AdamW's two float32 moments
     * @param reference the reference model's own weights
     * @param activations what one micro-batch keeps for backward ({@link Activations})
     * @param workspace the CUDA context and workspaces ({@link MemoryInputs#WORKSPACE}; 0 on the host)
     */
    public record PerDevice(long weights, long gradients, long optimizerState, long reference, long activations,
            long workspace) {

        /** Every part together. */
        public long total() {
            return weights + gradients + optimizerState + reference + activations + workspace;
        }

        /** Everything but the activations: what is held before the first micro-batch. */
        public long held() {
            return weights + gradients + optimizerState + reference + workspace;
        }

        /** The parts and their total, the activations named {@code activations}. */
        String summary(String activations) {
            return size(weights) + " weights, " + size(gradients) + " gradients, " + size(optimizerState)
                    + " optimizer state, " + size(reference) + " reference, " + size(this.activations) + " "
                    + activations + (workspace == 0 ? "" : ", " + size(workspace) + " CUDA context and workspace")
                    + " = " + size(total());
        }
    }

    /**
     * The optimizer state in host memory ({@code offload_optimizer}, DeepSpeed's ZeRO-Offload), where AdamW runs.
     *
     * @param masters the float32 master weights
     * @param gradients the float32 gradient accumulators the devices' gradients are added into
     * @param moments AdamW's two float32 moments
     * @param transfers one transfer's temporaries ({@link MemoryInputs#TRANSFER_ELEMENTS})
     */
    public record Host(long masters, long gradients, long moments, long transfers) {

        /** Every part together. */
        public long total() {
            return masters + gradients + moments + transfers;
        }

        /** The parts and their total. */
        String summary() {
            return "host memory (offload_optimizer): " + size(masters) + " float32 masters, " + size(gradients)
                    + " gradient accumulators, " + size(moments) + " AdamW moments, " + size(transfers)
                    + " transfer buffers = " + size(total());
        }
    }
}
