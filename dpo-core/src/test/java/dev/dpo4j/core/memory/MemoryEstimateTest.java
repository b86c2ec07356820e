package dev.dpo4j.core.memory;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.lora.LoraOptions;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.ModelConfig;
import dev.dpo4j.core.scoring.RecomputePlan;
import dev.dpo4j.testing.TinyModels;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The run's memory estimate by hand for a tiny Llama: full training in float32 and float16, LoRA, two devices. */
class MemoryEstimateTest {

    /** Free memory of a GPU that holds anything these tests ask for. */
    static final long AMPLE = 1L << 50;

    /** Hidden 32, 4 heads and 2 kv heads of 8, intermediate 64, 2 layers, vocab 50, untied. */
    static final ModelConfig LLAMA = TinyModels.config("llama", 50, false);
    /** Per layer q 1024 + k 512 + v 512 + o 1024 + gate, up, down 3 * 2048 + two norms 64; embedding and head. */
    static final long PARAMETERS = 2 * (1024 + 512 + 512 + 1024 + 3 * 2048 + 64) + 32 + 2 * 50 * 32;
    /**
     * Plain activations of 1 pair of 10 tokens: 20 row tokens, 2 layers of 528 elements, 20 scored of 50 logits, one
     * head chunk of the plain pass: the float32 log-softmax autograd keeps, the gather's and the log-softmax's
     * gradients and the gradient in the compute type (float32 here), 16 bytes a logit.
     */
    static final long PLAIN_FP32 = 20L * 2 * 528 * 4 + 20 * 50 * 16;

    static MemoryInputs full(DataType type) {
        return new MemoryInputs(LLAMA, type, false, 0, ReferenceModel.COPY, 1, 1, 10, false, chunks(LLAMA, 100));
    }

    @Test
    void countsEveryWeightOfTheTinyLlama() {
        assertThat(PARAMETERS).isEqualTo(21_792);
        assertThat(full(DataType.FLOAT32).parameters()).isEqualTo(PARAMETERS);
    }

    @Test
    void fullFloat32TrainingHoldsMastersGradientsMomentsAndAFloat32Reference() {
        MemoryEstimate estimate = full(DataType.FLOAT32).estimate(AMPLE);
        MemoryEstimate.PerDevice primary = estimate.primary();
        assertThat(primary).isEqualTo(new MemoryEstimate.PerDevice(4 * PARAMETERS, 4 * PARAMETERS, 8 * PARAMETERS,
                4 * PARAMETERS, PLAIN_FP32, MemoryInputs.WORKSPACE));
        assertThat(primary.held() - primary.workspace()).isEqualTo(20 * PARAMETERS);
        assertThat(estimate.others()).isNull();
        assertThat(estimate.total()).isEqualTo(20 * PARAMETERS + PLAIN_FP32 + MemoryInputs.WORKSPACE);
    }

    @Test
    void fullHalfPrecisionTrainingTakes22BytesAParameter() {
        for (DataType type : new DataType[] {DataType.FLOAT16, DataType.BFLOAT16}) {
            MemoryEstimate.PerDevice primary = full(type).estimate(AMPLE).primary();
            // float32 masters 4 + float16 copies 2; float32 gradients 4 + the copies' 2; two moments 8; reference 2
            assertThat(primary.weights()).isEqualTo(6 * PARAMETERS);
            assertThat(primary.gradients()).isEqualTo(6 * PARAMETERS);
            assertThat(primary.optimizerState()).isEqualTo(8 * PARAMETERS);
            assertThat(primary.reference()).isEqualTo(2 * PARAMETERS);
            assertThat(primary.held() - primary.workspace()).isEqualTo(22 * PARAMETERS);
            // activations in 2-byte elements, the head in one chunk: float32 log-softmax and gradients, one in bfloat16
            assertThat(primary.activations()).isEqualTo(20L * 2 * 528 * 2 + 20 * 50 * 14);
        }
    }

    @Test
    void loraOnQueriesAndValuesTrainsOnlyTheAdaptersAndNeedsNoReferenceCopy() {
        LoraOptions lora = LoraOptions.enabled().with(LoraOptions::loraR, 4);
        // per layer q: 4 * (32 + 32), v: 4 * (32 + 16)
        long adapters = 2 * (4 * (32 + 32) + 4 * (32 + 16));
        assertThat(lora.adapterParameters(LLAMA)).isEqualTo(adapters).isEqualTo(896);
        MemoryInputs inputs = new MemoryInputs(LLAMA, DataType.BFLOAT16, false, adapters, ReferenceModel.COPY, 1, 1, 10, false,
                chunks(LLAMA, 100)).withUsePeft(true);
        assertThat(inputs.reference()).isEqualTo(ReferenceModel.ADAPTERS_OFF);
        assertThat(inputs.trainableParameters()).isEqualTo(adapters);
        MemoryEstimate.PerDevice primary = inputs.estimate(AMPLE).primary();
        // the frozen base in bfloat16, the adapters' float32 masters and bfloat16 copies
        assertThat(primary.weights()).isEqualTo(2 * PARAMETERS + 6 * adapters);
        assertThat(primary.gradients()).isEqualTo(6 * adapters);
        assertThat(primary.optimizerState()).isEqualTo(8 * adapters);
        assertThat(primary.reference()).isZero();
    }

    @Test
    void allLinearTargetsEveryProjectionButNeverTheHead() {
        LoraOptions lora = LoraOptions.enabled().with(LoraOptions::loraR, 4).with(LoraOptions::loraTargetModules, List.of(LoraOptions.ALL_LINEAR));
        // per layer q 4 * 64, k 4 * 48, v 4 * 48, o 4 * 64, gate, up and down 4 * 96 each
        assertThat(lora.adapterParameters(LLAMA)).isEqualTo(2 * (256 + 192 + 192 + 256 + 3 * 384));
        assertThat(CausalLm.projections(LLAMA)).hasSize(2 * 7)
                .doesNotContainKey("lm_head").doesNotContainKey("model.embed_tokens");
    }

    @Test
    void targetsMatchAsPeftMatches() {
        LoraOptions lora = LoraOptions.enabled().with(LoraOptions::loraTargetModules, List.of("q_proj", "layers.1.mlp.up_proj"));
        // 2 layers' q_proj and layer 1's up_proj, rank 16
        assertThat(lora.adapterParameters(LLAMA)).isEqualTo(16L * (2 * (32 + 32) + (32 + 64)));
    }

    @Test
    void otherDevicesHoldACopyItsGradientsAndTheReferenceButNoOptimizer() {
        MemoryEstimate estimate = new MemoryInputs(LLAMA, DataType.FLOAT16, false, 0, ReferenceModel.COPY, 2, 1, 10,
                false, chunks(LLAMA, 100)).estimate(AMPLE);
        assertThat(estimate.primary().held() - MemoryInputs.WORKSPACE).isEqualTo(22 * PARAMETERS);
        assertThat(estimate.others()).isEqualTo(new MemoryEstimate.PerDevice(2 * PARAMETERS, 2 * PARAMETERS, 0,
                2 * PARAMETERS, estimate.primary().activations(), MemoryInputs.WORKSPACE));
        assertThat(estimate.total()).isEqualTo(estimate.primary().total());
        assertThat(estimate.summary()).startsWith("estimated GPU memory per device: primary ")
                .contains("; others 42.6 KiB weights, 42.6 KiB gradients, 0 optimizer state, 42.6 KiB reference");
    }

    @Test
    void aPrecomputedReferenceOrNoneTakesNothing() {
        for (ReferenceModel reference : new ReferenceModel[] {ReferenceModel.PRECOMPUTED, ReferenceModel.NONE}) {
            assertThat(new MemoryInputs(LLAMA, DataType.FLOAT32, false, 0, reference, 1, 1, 10, false, chunks(LLAMA, 100))
                    .estimate(AMPLE).primary().reference()).isZero();
            assertThat(reference.withPeft()).isEqualTo(reference);
        }
    }

    @Test
    void checkpointingKeepsLayerInputsAndAutoRecomputesOnlyWhatDoesNotFit() {
        MemoryInputs plain = full(DataType.FLOAT32);
        long checkpointed = 20L * 3 * 32 * 4 + 2 * 20L * 528 * 4 + 100 * 16; // a head chunk of 100 logits at 16 bytes in float32
        assertThat(plain.withGradientCheckpointing(true).estimate(AMPLE).primary().activations())
                .isEqualTo(checkpointed);
        MemoryInputs auto = plain.withGradientCheckpointing(null);
        assertThat(auto.estimate(AMPLE).recompute()).isFalse();
        long held = auto.estimate(AMPLE).primary().held();
        assertThat(auto.estimate(held + PLAIN_FP32 * 2).recompute()).isFalse();
        assertThat(auto.estimate(held + PLAIN_FP32).recompute()).isTrue(); // only 85 % of it may go to activations
        assertThat(auto.estimate(held + PLAIN_FP32).primary().activations()).isEqualTo(checkpointed);
    }

    @Test
    void theSummaryNamesEveryPart() {
        assertThat(full(DataType.FLOAT32).estimate(AMPLE).summary()).isEqualTo("estimated GPU memory per "
                + "device: 85.1 KiB weights, 85.1 KiB gradients, 0.2 MiB optimizer state, 85.1 KiB reference, "
                + "98.1 KiB activations (1 pair of up to 10 tokens, not recomputed), 1.0 GiB CUDA context and "
                + "workspace = 1.0 GiB");
        assertThat(MemoryEstimate.size(0)).isEqualTo("0");
        assertThat(MemoryEstimate.size(14_500_000_000L)).isEqualTo("13.5 GiB");
        assertThat(MemoryEstimate.size(5L << 20)).isEqualTo("5.0 MiB");
    }

    @Test
    void onTheHostThereIsNoCudaContext() {
        MemoryEstimate host = full(DataType.FLOAT32).estimate(Long.MAX_VALUE);
        assertThat(host.gpu()).isFalse();
        assertThat(host.primary().workspace()).isZero();
        assertThat(host.summary()).startsWith("estimated host memory per device: ").doesNotContain("CUDA");
        assertThat(host.total()).isEqualTo(full(DataType.FLOAT32).estimate(AMPLE).total() - MemoryInputs.WORKSPACE);
    }

    /** The plain pass's head chunks for {@code config}'s vocabulary, a recomputing pass's of {@code recomputing}. */
    static HeadChunks chunks(ModelConfig config, long recomputing) {
        return new HeadChunks(RecomputePlan.headChunkElements(config.vocabSize()), recomputing);
    }
}
