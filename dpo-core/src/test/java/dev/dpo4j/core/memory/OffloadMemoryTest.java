package dev.dpo4j.core.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.lora.LoraOptions;
import dev.dpo4j.core.model.ModelConfig;
import dev.dpo4j.core.scoring.RecomputePlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The optimizer state in host memory ({@code offload_optimizer}): what the GPUs and the host hold, by hand for the
 * tiny Llama and for full-parameter bfloat16 Mistral-7B on an 80 GiB GPU, and the refusals that name it.
 */
class OffloadMemoryTest {

    private static final long GIB = 1L << 30;
    private static final long PARAMETERS = MemoryEstimateTest.PARAMETERS;
    private static final ModelConfig MISTRAL = MemoryCheckTest.mistral7b();
    /** Mistral-7B's weights. */
    private static final long MISTRAL_PARAMETERS = 7_241_732_096L;
    /** An H100's memory, counted as 80 GiB. */
    private static final long GPU = 80 * GIB;

    private static MemoryInputs tiny(DataType type, int devices) {
        return new MemoryInputs(MemoryEstimateTest.LLAMA, type, false, 0, ReferenceModel.COPY, devices, 1, 10, false,
                MemoryEstimateTest.chunks(MemoryEstimateTest.LLAMA, 100), true);
    }

    /** Full-parameter bfloat16 Mistral-7B, one pair of 2048 tokens, its reference a bfloat16 copy. */
    private static MemoryInputs mistral(Boolean gradientCheckpointing, boolean offloadOptimizer) {
        return new MemoryInputs(MISTRAL, DataType.BFLOAT16, false, LoraOptions.enabled().adapterParameters(MISTRAL),
                ReferenceModel.COPY, 1, 1, 2048, gradientCheckpointing, RecomputePlan.headChunks(MISTRAL.vocabSize()),
                offloadOptimizer);
    }

    @Test
    void float32ComputeKeepsAFloat32CopyAndItsGradientsOnTheGpuAndTheStateOnTheHost() {
        MemoryEstimate estimate = tiny(DataType.FLOAT32, 1).estimate(MemoryCheckTest.AMPLE);
        assertThat(estimate.primary()).isEqualTo(new MemoryEstimate.PerDevice(4 * PARAMETERS, 4 * PARAMETERS, 0,
                4 * PARAMETERS, MemoryEstimateTest.PLAIN_FP32, MemoryInputs.WORKSPACE));
        // float32 masters 4, gradient accumulators 4, moments 8; one run of 64 Mi elements in float32 twice
        assertThat(estimate.host()).isEqualTo(new MemoryEstimate.Host(4 * PARAMETERS, 4 * PARAMETERS,
                8 * PARAMETERS, (1L << 26) * 8));
        assertThat(estimate.host().total()).isEqualTo(16 * PARAMETERS + 512L * (1 << 20));
        assertThat(estimate.total()).isEqualTo(12 * PARAMETERS + MemoryEstimateTest.PLAIN_FP32
                + MemoryInputs.WORKSPACE);
    }

    @Test
    void halfPrecisionKeeps4BytesAParameterOnEveryGpuThePrimaryToo() {
        for (DataType type : new DataType[] {DataType.FLOAT16, DataType.BFLOAT16}) {
            MemoryEstimate estimate = tiny(type, 2).estimate(MemoryCheckTest.AMPLE);
            assertThat(estimate.primary().weights()).isEqualTo(2 * PARAMETERS);
            assertThat(estimate.primary().gradients()).isEqualTo(2 * PARAMETERS);
            assertThat(estimate.primary().optimizerState()).isZero();
            assertThat(estimate.primary().held() - MemoryInputs.WORKSPACE).isEqualTo(6 * PARAMETERS);
            assertThat(estimate.others()).isEqualTo(estimate.primary());
            assertThat(estimate.host()).isEqualTo(new MemoryEstimate.Host(4 * PARAMETERS, 4 * PARAMETERS,
                    8 * PARAMETERS, (1L << 26) * 6));
        }
    }

    @Test
    void withoutOffloadNothingIsInHostMemoryAndTheTenArgumentInputsAreTheSame() {
        MemoryInputs onDevice = MemoryEstimateTest.full(DataType.BFLOAT16);
        assertThat(onDevice.offloadOptimizer()).isFalse();
        assertThat(onDevice).isEqualTo(tiny(DataType.BFLOAT16, 1).withOffloadOptimizer(false));
        assertThat(onDevice.estimate(MemoryCheckTest.AMPLE).host()).isNull();
        assertThat(onDevice.estimate(MemoryCheckTest.AMPLE).summary()).doesNotContain("host memory");
    }

    @Test
    void autoCheckpointingDecidesOnWhatTheGpuHolds() {
        MemoryInputs auto = tiny(DataType.FLOAT32, 1).withGradientCheckpointing(null);
        long held = auto.estimate(MemoryCheckTest.AMPLE).primary().held();
        assertThat(held).isEqualTo(12 * PARAMETERS + MemoryInputs.WORKSPACE);
        assertThat(auto.estimate(held + MemoryEstimateTest.PLAIN_FP32 * 2).recompute()).isFalse();
        assertThat(auto.estimate(held + MemoryEstimateTest.PLAIN_FP32).recompute()).isTrue();
    }

    @Test
    void loraKeepsItsStateOnTheDevice() {
        assertThatThrownBy(() -> new MemoryInputs(MemoryEstimateTest.LLAMA, DataType.BFLOAT16, true, 896,
                ReferenceModel.ADAPTERS_OFF, 1, 1, 10, false, MemoryEstimateTest.chunks(MemoryEstimateTest.LLAMA, 100),
                true)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offload_optimizer")
                .hasMessageContaining("use_peft");
        assertThat(tiny(DataType.BFLOAT16, 1).withUsePeft(true).offloadOptimizer()).isFalse();
    }

    @Test
    void fullBfloat16Mistral7bWithOffloadFitsAn80GibGpuAtA2048TokenPairWithCheckpointing() {
        MemoryEstimate estimate = MemoryCheck.requireFits(mistral(true, true), GPU, 128 * GIB);
        MemoryEstimate.PerDevice gpu = estimate.primary();
        // bfloat16 weights and their gradients: 2 x 2 B x 7,241,732,096 = 28,966,928,384 B, 27.0 GiB
        assertThat(gpu.weights() + gpu.gradients()).isEqualTo(2 * 2 * MISTRAL_PARAMETERS).isEqualTo(28_966_928_384L);
        assertThat(gpu.optimizerState()).isZero();
        assertThat(gpu.reference()).isEqualTo(2 * MISTRAL_PARAMETERS);
        // every layer's input 4096 x 33 x 4096 x 2 B, two layers' graph 2 x 4096 x 89,088 x 2 B, a head chunk of
        // 16 Mi logits at 14 B
        assertThat(gpu.activations()).isEqualTo(4096L * 33 * 4096 * 2 + 2 * 4096L * 89_088 * 2 + (1L << 24) * 14)
                .isEqualTo(2_801_795_072L);
        assertThat(estimate.total()).isEqualTo(47_325_929_472L); // 44.1 GiB of 80
        // float32 masters 4, gradient accumulators 4, moments 8: 16 x 7,241,732,096 B = 107.9 GiB, and one run of
        // 64 Mi elements in float32 and bfloat16, 0.4 GiB
        assertThat(estimate.host().total() - estimate.host().transfers()).isEqualTo(16 * MISTRAL_PARAMETERS)
                .isEqualTo(115_867_713_536L);
        assertThat(estimate.host().transfers()).isEqualTo(402_653_184L);
        assertThat(estimate.host().total()).isEqualTo(116_270_366_720L); // 108.3 GiB
        assertThat(estimate.summary()).isEqualTo("estimated GPU memory per device: 13.5 GiB weights, 13.5 GiB "
                + "gradients, 0 optimizer state, 13.5 GiB reference, 2.6 GiB activations (1 pair of up to 2048 "
                + "tokens, recomputed), 1.0 GiB CUDA context and workspace = 44.1 GiB; host memory (offload_optimizer): "
                + "27.0 GiB float32 masters, 27.0 GiB gradient accumulators, 54.0 GiB AdamW moments, 0.4 GiB transfer "
                + "buffers = 108.3 GiB");
    }

    @Test
    void withoutOffloadItIsRefusedNamingOffloadOptimizerAmongTheFixes() {
        InsufficientMemoryException refused = catchThrowableOfType(
                () -> MemoryCheck.requireFits(mistral(true, false), GPU, 128 * GIB), InsufficientMemoryException.class);
        // 22 B a parameter, the activations and the workspace: 163,193,643,008 B
        assertThat(refused.estimate().total()).isEqualTo(22 * MISTRAL_PARAMETERS + 2_801_795_072L + GIB)
                .isEqualTo(163_193_643_008L);
        assertThat(refused.hostMemory()).isFalse();
        assertThat(refused).hasMessageStartingWith("the run does not fit in GPU memory: it needs an estimated "
                + "152.0 GiB per device but the device with the least has 80.0 GiB free")
                .hasMessageEndingWith(" It would fit with use_peft true (17.2 GiB), or offload_optimizer true "
                        + "(44.1 GiB).");
    }

    @Test
    void offloadIsNamedWithCheckpointingWhenItDoesNotFitAloneAndNotWhereTheHostCannotHoldIt() {
        // the 6000-token pair: without recomputing its activations overflow even with offload
        MemoryInputs long6000 = mistral(false, false).withMaxLength(6000);
        assertThat(long6000.withOffloadOptimizer(true).estimate(GPU).total()).isGreaterThan(GPU);
        // with it: every layer's input 12000 x 33 x 4096 x 2 B, two layers' graph, a head chunk; 48.7 GiB in all
        MemoryEstimate checkpointed = long6000.withOffloadOptimizer(true).withGradientCheckpointing(true).estimate(GPU);
        assertThat(checkpointed.primary().activations())
                .isEqualTo(12_000L * 33 * 4096 * 2 + 2 * 12_000L * 89_088 * 2 + (1L << 24) * 14);
        assertThat(checkpointed.total()).isEqualTo(6 * MISTRAL_PARAMETERS + 7_755_137_024L + GIB)
                .isEqualTo(52_279_271_424L);
        assertThatThrownBy(() -> MemoryCheck.requireFits(long6000, GPU, 128 * GIB))
                .hasMessageContaining("offload_optimizer true with gradient_checkpointing true (48.7 GiB)");
        // at 2048 tokens offload alone fits, with every layer's graph (or as auto recomputes)
        assertThat(mistral(false, true).estimate(GPU).total()).isLessThan(GPU);
        assertThatThrownBy(() -> MemoryCheck.requireFits(mistral(null, false), GPU, 128 * GIB))
                .hasMessageContaining("offload_optimizer true (");
        // a host of 100 GiB cannot hold the 108.3 GiB
        assertThatThrownBy(() -> MemoryCheck.requireFits(mistral(true, false), GPU, 100 * GIB))
                .hasMessageEndingWith(" It would fit with use_peft true (17.2 GiB).");
    }

    @Test
    void aHostWithTooLittleMemoryIsRefusedNamingBothNumbersAndTheOption() {
        InsufficientMemoryException refused = catchThrowableOfType(
                () -> MemoryCheck.requireFits(mistral(true, true), GPU, 64 * GIB), InsufficientMemoryException.class);
        assertThat(refused.hostMemory()).isTrue();
        assertThat(refused.free()).isEqualTo(64 * GIB);
        assertThat(refused).hasMessageStartingWith("the optimizer state does not fit in host memory: "
                + "offload_optimizer keeps an estimated 108.3 GiB there (")
                .hasMessageContaining("but the host has 64.0 GiB available (estimated GPU memory per device: ")
                .hasMessageEndingWith(" It would fit with use_peft true with offload_optimizer false (17.2 GiB), or "
                        + "on a host with more memory.");
    }

    @Test
    void theHostLimitPropertyPlansForAHostWithThatMuchAvailable() {
        String before = System.getProperty(DeviceMemory.HOST_LIMIT_PROPERTY);
        System.setProperty(DeviceMemory.HOST_LIMIT_PROPERTY, "1.5");
        try {
            assertThat(DeviceMemory.hostAvailable()).isEqualTo(3 * GIB / 2);
            assertThatThrownBy(() -> MemoryCheck.requireFits(mistral(true, true), GPU))
                    .isInstanceOf(InsufficientMemoryException.class)
                    .hasMessageContaining("offload_optimizer keeps an estimated 108.3 GiB there")
                    .hasMessageContaining("but the host has 1.5 GiB available");
            // a run on the CPU is never refused, nor its state in host memory
            assertThat(MemoryCheck.requireFits(mistral(true, true), Long.MAX_VALUE).host()).isNotNull();
            System.setProperty(DeviceMemory.HOST_LIMIT_PROPERTY, "lots");
            assertThatThrownBy(DeviceMemory::hostAvailable).hasMessageContaining(DeviceMemory.HOST_LIMIT_PROPERTY);
        } finally {
            if (before == null) {
                System.clearProperty(DeviceMemory.HOST_LIMIT_PROPERTY);
            } else {
                System.setProperty(DeviceMemory.HOST_LIMIT_PROPERTY, before);
            }
        }
    }

    @Test
    void hostMemoryIsReadFromMemAvailable(@TempDir Path folder) throws IOException {
        Path meminfo = Files.writeString(folder.resolve("meminfo"),
                "MemTotal:       65536000 kB\nMemFree:         1000000 kB\nMemAvailable:   24320976 kB\n");
        assertThat(DeviceMemory.memAvailable(meminfo)).isEqualTo(24_320_976L * 1024);
        assertThat(DeviceMemory.memAvailable(Files.writeString(folder.resolve("old"), "MemTotal: 1 kB\n")))
                .isEqualTo(-1);
        assertThat(DeviceMemory.memAvailable(folder.resolve("absent"))).isEqualTo(-1);
        assertThat(DeviceMemory.hostAvailable()).isPositive();
    }
}
