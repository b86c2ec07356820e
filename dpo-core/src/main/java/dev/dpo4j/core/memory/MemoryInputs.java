package dev.dpo4j.core.memory;

import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.ModelConfig;

/**
 * What a training run keeps on its devices, from which its {@link MemoryEstimate} follows. The primary device
 * holds, per trained parameter, the float32 master (4 B) and its float32 gradient (4 B), AdamW's two float32
 * moments (8 B) and, in half precision, the compute-type copy and its gradient (2 + 2 B), and a reference copy in
 * the compute type: 22 B a parameter in half precision, 20 B in float32. Every other device holds a
 * compute-type copy of the weights, its gradients and its own reference copy. With LoRA ({@code use_peft}) the
 * trained parameters are the adapters', the base weights are held once, frozen, in the compute type, and the
 * reference is the base with the adapters off. Activations are per micro-batch ({@link Activations}), at their
 * worst: {@code per_device_train_batch_size} pairs of {@code maxLength} tokens each give {@code 2 * max_length}
 * row tokens a pair, shared ({@code share_prompt}, one row of at most prompt plus both completions) or not (two
 * rows), so {@code share_prompt} does not change the bound. Evaluation, which keeps no graph, takes less. With
 * {@code offload_optimizer} (DeepSpeed's ZeRO-Offload) the float32 masters, their float32 gradient accumulators and
 * AdamW's two moments (16 B a trained parameter) live in host memory with one transfer's temporaries
 * ({@link #TRANSFER_ELEMENTS}), and every device, the primary too, holds what the others hold: the compute-type copy
 * and its gradients (4 B a parameter in half precision, 8 B in float32), its reference and its activations.
 *
 * @param config the architecture
 * @param computeType float32, float16 or bfloat16
 * @param usePeft whether LoRA adapters are trained instead of every weight
 * @param adapterParameters the LoRA adapters' parameters, counted also when {@code usePeft} is off, so that the
 *     refusal can tell what turning it on would take
 * @param reference the reference model's form
 * @param devices data-parallel devices
 * @param perDeviceTrainBatchSize pairs per device per micro-batch
 * @param maxLength tokens of the longest pair (prompt plus longer completion): at most {@code max_length}, and the
 *     longest training pair kept when the data is known
 * @param gradientCheckpointing true, false, or null for {@code auto} (recompute as few layers as make the
 *     activations fit, as {@code scoring.RecomputePlan} does)
 * @param headChunks logit elements the LM head computes at once, in the plain pass and in a recomputing one; under
 *     {@code auto} a recomputing pass takes the plain pass's larger chunks where they fit
 *     ({@link Activations#fittingHeadChunks}), as training does
 * @param offloadOptimizer whether the optimizer state lives in host memory ({@code offload_optimizer}; full-parameter
 *     training only)
 * @param stateShards the parts the AdamW moments are split into across ranks ({@code zero_stage} 1: the world size;
 *     1 otherwise); a rank also holds its part of the gradients
 * @param shardedGradients whether a rank keeps only its part of the float32 gradients ({@code zero_stage} 2), no
 *     whole buffer beside its half-precision copies' gradients
 */
public record MemoryInputs(ModelConfig config, DataType computeType, boolean usePeft, long adapterParameters,
        ReferenceModel reference, int devices, int perDeviceTrainBatchSize, int maxLength,
        Boolean gradientCheckpointing, HeadChunks headChunks, boolean offloadOptimizer, int stateShards,
        boolean shardedGradients) {

    /**
     * A fixed allowance per device for what no formula counts: the CUDA context and cuBLAS workspaces (about half a
     * GiB), the optimizer's update slices and the transfers between devices, and the caching allocator's slack.
     */
    public static final long WORKSPACE = 1L << 30;

    /**
     * Elements of one transfer between the devices and the optimizer state in host memory: the trainer moves runs of
     * whole tensors of about 64 Mi elements ({@code internal.placement.FlatRuns.RUN_ELEMENTS}), each held on the host
     * in float32 and in the compute type while it is added in or cast back.
     */
    public static final long TRANSFER_ELEMENTS = 1L << 26;

    /** Checks the counts, and that the optimizer state in host memory goes with full-parameter training. */
    public MemoryInputs {
        if (devices < 1 || perDeviceTrainBatchSize < 1 || maxLength < 1) {
            throw new IllegalArgumentException("a memory estimate needs at least one device, pair and token, got "
                    + devices + " devices, per_device_train_batch_size " + perDeviceTrainBatchSize
                    + ", max_length " + maxLength);
        }
        if (shardedGradients && stateShards < 2) {
            throw new IllegalArgumentException("gradients sharded over " + stateShards + " rank need several ranks");
        }
        if (stateShards < 1) {
            throw new IllegalArgumentException("the optimizer state is split into " + stateShards
                    + " shards; at least 1");
        }
        if (usePeft && offloadOptimizer) {
            throw new IllegalArgumentException("offload_optimizer is for full-parameter training, not with use_peft");
        }
    }

    /** The inputs of a run whose optimizer state stays on the primary device ({@code offload_optimizer false}). */
    public MemoryInputs(ModelConfig config, DataType computeType, boolean usePeft, long adapterParameters,
            ReferenceModel reference, int devices, int perDeviceTrainBatchSize, int maxLength,
            Boolean gradientCheckpointing, HeadChunks headChunks) {
        this(config, computeType, usePeft, adapterParameters, reference, devices, perDeviceTrainBatchSize, maxLength,
                gradientCheckpointing, headChunks, false, 1, false);
    }

    /** The inputs of a run of one process (its optimizer state not split across ranks). */
    public MemoryInputs(ModelConfig config, DataType computeType, boolean usePeft, long adapterParameters,
            ReferenceModel reference, int devices, int perDeviceTrainBatchSize, int maxLength,
            Boolean gradientCheckpointing, HeadChunks headChunks, boolean offloadOptimizer) {
        this(config, computeType, usePeft, adapterParameters, reference, devices, perDeviceTrainBatchSize, maxLength,
                gradientCheckpointing, headChunks, offloadOptimizer, 1, false);
    }

    /** Every weight of the model ({@link CausalLm#expectedShapes}). */
    public long parameters() {
        return CausalLm.expectedShapes(config).values().stream().mapToLong(s -> s.size()).sum();
    }

    /** The parameters the optimizer trains: the adapters' with {@code use_peft}, else every weight. */
    public long trainableParameters() {
        return usePeft ? adapterParameters : parameters();
    }

    /**
     * The estimate; {@code free} (the least free bytes of the devices, {@link Long#MAX_VALUE} for host memory,
     * which has no CUDA context) decides, under {@code auto}, whether the activations are recomputed.
     */
    public MemoryEstimate estimate(long free) {
        boolean gpu = free != Long.MAX_VALUE;
        PerDeviceParts parts = new PerDeviceParts(gpu ? WORKSPACE : 0);
        MemoryEstimate.PerDevice primary = parts.primary(0);
        long rowTokens = 2L * perDeviceTrainBatchSize * maxLength;
        Activations activations = new Activations(config, computeType.getNumOfBytes());
        int layers = config.numLayers();
        long budget = DeviceMemory.activationBudget(free == Long.MAX_VALUE ? free : free - primary.held());
        HeadChunks chunks = gradientCheckpointing != null ? headChunks
                : activations.fittingHeadChunks(rowTokens, 0, rowTokens, budget, headChunks);
        int recomputed = gradientCheckpointing != null ? (gradientCheckpointing ? layers : 0)
                : activations.layersToRecompute(rowTokens, rowTokens, budget, chunks);
        long kept = activations.kept(rowTokens, 0, rowTokens, recomputed, chunks);
        return new MemoryEstimate(parts.primary(kept), devices == 1 ? null : parts.other(kept),
                perDeviceTrainBatchSize, maxLength, recomputed, layers, gpu, parts.host());
    }

    /**
     * With or without LoRA; a reference copy becomes the base with the adapters off, and the optimizer state, the
     * adapters' then, returns to the device ({@code offload_optimizer} is for full-parameter training).
     */
    public MemoryInputs withUsePeft(boolean value) {
        return new MemoryInputs(config, computeType, value, adapterParameters, value ? reference.withPeft()
                : reference, devices, perDeviceTrainBatchSize, maxLength, gradientCheckpointing, headChunks,
                offloadOptimizer && !value, stateShards, shardedGradients);
    }

    /** With {@code gradient_checkpointing} {@code value} (null: auto). */
    public MemoryInputs withGradientCheckpointing(Boolean value) {
        return new MemoryInputs(config, computeType, usePeft, adapterParameters, reference, devices,
                perDeviceTrainBatchSize, maxLength, value, headChunks, offloadOptimizer, stateShards, shardedGradients);
    }

    /** With {@code value} pairs per device per micro-batch. */
    public MemoryInputs withPerDeviceTrainBatchSize(int value) {
        return new MemoryInputs(config, computeType, usePeft, adapterParameters, reference, devices, value,
                maxLength, gradientCheckpointing, headChunks, offloadOptimizer, stateShards,
                shardedGradients);
    }

    /** With pairs of at most {@code value} tokens. */
    public MemoryInputs withMaxLength(int value) {
        return new MemoryInputs(config, computeType, usePeft, adapterParameters, reference, devices,
                perDeviceTrainBatchSize, value, gradientCheckpointing, headChunks, offloadOptimizer, stateShards,
                shardedGradients);
    }

    /** With the optimizer state in host memory ({@code offload_optimizer}) or on the primary device. */
    public MemoryInputs withOffloadOptimizer(boolean value) {
        return new MemoryInputs(config, computeType, usePeft, adapterParameters, reference, devices,
                perDeviceTrainBatchSize, maxLength, gradientCheckpointing, headChunks, value, stateShards,
                shardedGradients);
    }

    /**
     * Across {@code ranks} ranks with ZeRO stage {@code stage}: the moments split over them from stage 1 on, the
     * float32 gradients too at stage 2 (stage 0, or one rank: nothing split).
     */
    public MemoryInputs withRanks(int ranks, int stage) {
        boolean split = ranks > 1 && stage > 0;
        return new MemoryInputs(config, computeType, usePeft, adapterParameters, reference, devices,
                perDeviceTrainBatchSize, maxLength, gradientCheckpointing, headChunks, offloadOptimizer,
                split ? ranks : 1, split && stage == 2);
    }

    /** The bytes a device holds before activations, per kind of device. */
    private final class PerDeviceParts {
        private final long workspace;
        private final long element = computeType.getNumOfBytes();
        private final long all = parameters();
        private final long trained = usePeft ? adapterParameters : all;
        private final long frozen = usePeft ? all : 0;
        private final long copies = element < Float.BYTES ? element * trained : 0;
        private final long referenceBytes = reference == ReferenceModel.COPY ? element * all : 0;

        PerDeviceParts(long workspace) {
            this.workspace = workspace;
        }

        /**
         * Masters, their gradients and moments, compute-type copies and their gradients, frozen base, reference; with
         * the optimizer state in host memory, what every other device holds.
         */
        MemoryEstimate.PerDevice primary(long activations) {
            if (offloadOptimizer) {
                return other(activations);
            }
            long masters = (long) Float.BYTES * trained;
            long moments = 2 * ((long) Float.BYTES * ((trained + stateShards - 1) / stateShards));
            long partGradients = stateShards > 1 ? moments / 2 : 0;
            long wholeGradients = shardedGradients && copies > 0 ? 0 : masters;
            return new MemoryEstimate.PerDevice(masters + copies + element * frozen, wholeGradients + copies
                    + partGradients, moments, referenceBytes, activations, workspace);
        }

        /** A compute-type copy of every weight, the trained ones' gradients, the reference. */
        MemoryEstimate.PerDevice other(long activations) {
            return new MemoryEstimate.PerDevice(element * (trained + frozen), element * trained, 0, referenceBytes,
                    activations, workspace);
        }

        /** The optimizer state in host memory with one transfer's temporaries, or null when it is on the device. */
        MemoryEstimate.Host host() {
            if (!offloadOptimizer) {
                return null;
            }
            long masters = (long) Float.BYTES * trained;
            return new MemoryEstimate.Host(masters, masters, 2 * masters, TRANSFER_ELEMENTS * (Float.BYTES + element));
        }
    }
}
