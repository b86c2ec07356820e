package dev.dpo4j.core.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import dev.dpo4j.core.lora.LoraOptions;
import dev.dpo4j.core.model.ModelConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The refusal of runs that cannot fit, the option it names, and the estimate at Mistral-7B's shape. */
class MemoryCheckTest {

    /** Free memory of a GPU that holds anything these tests ask for. */
    static final long AMPLE = 1L << 50;

    /** An H200's memory as sold: 141 GB. */
    private static final long H200 = 141_000_000_000L;
    private static final ModelConfig MISTRAL = mistral7b();

    static ModelConfig mistral7b() {
        JsonObject json = new JsonObject();
        json.addProperty("model_type", "mistral");
        json.addProperty("vocab_size", 32000);
        json.addProperty("hidden_size", 4096);
        json.addProperty("intermediate_size", 14336);
        json.addProperty("num_hidden_layers", 32);
        json.addProperty("num_attention_heads", 32);
        json.addProperty("num_key_value_heads", 8);
        json.addProperty("tie_word_embeddings", false);
        return ModelConfig.fromJson(json, "Mistral-7B config.json");
    }

    private static MemoryInputs mistral(boolean usePeft, LoraOptions lora) {
        return new MemoryInputs(MISTRAL, DataType.BFLOAT16, usePeft, lora.adapterParameters(MISTRAL),
                usePeft ? ReferenceModel.ADAPTERS_OFF : ReferenceModel.COPY, 1, 1, 1024, null,
                MemoryEstimateTest.chunks(MISTRAL, 1L << 26));
    }

    @Test
    void mistral7bHasItsKnownParameterCounts() {
        assertThat(mistral(false, LoraOptions.enabled()).parameters()).isEqualTo(7_241_732_096L);
        assertThat(LoraOptions.enabled().with(LoraOptions::loraTargetModules, List.of(LoraOptions.ALL_LINEAR)).adapterParameters(MISTRAL))
                .isEqualTo(41_943_040L);
        // PEFT's default q_proj, v_proj at r 16
        assertThat(LoraOptions.enabled().adapterParameters(MISTRAL)).isEqualTo(6_815_744L);
    }

    @Test
    void fullBfloat16TrainingOfMistral7bIsRefusedOnAnH200SuggestingLora() {
        MemoryInputs full = mistral(false, LoraOptions.enabled().with(LoraOptions::loraTargetModules, List.of(LoraOptions.ALL_LINEAR)));
        MemoryEstimate.PerDevice primary = full.estimate(H200).primary();
        assertThat(primary.held() - primary.workspace()).isEqualTo(22 * 7_241_732_096L)
                .isBetween(155_000_000_000L, 165_000_000_000L);
        InsufficientMemoryException refused = catchThrowableOfType(() -> MemoryCheck.requireFits(full, H200),
                InsufficientMemoryException.class);
        assertThat(refused.free()).isEqualTo(H200);
        assertThat(refused.estimate().total()).isGreaterThan(H200);
        assertThat(refused).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("the run does not fit in GPU memory: it needs an estimated 151.")
                .hasMessageContaining("but the device with the least has 131.3 GiB free (estimated GPU memory per "
                        + "device: ")
                .hasMessageContaining("It would fit with use_peft true (")
                .hasMessageNotContaining("per_device_train_batch_size").hasMessageNotContaining("max_length ");
    }

    @Test
    void loraAllLinearOnMistral7bFitsAnH200() {
        MemoryInputs lora = mistral(true, LoraOptions.enabled().with(LoraOptions::loraTargetModules, List.of(LoraOptions.ALL_LINEAR)));
        MemoryEstimate estimate = MemoryCheck.requireFits(lora, H200);
        long adapters = 41_943_040L;
        assertThat(estimate.primary().weights()).isEqualTo(2 * 7_241_732_096L + 6 * adapters)
                .isBetween(14_400_000_000L, 14_800_000_000L);
        assertThat(estimate.primary().gradients()).isEqualTo(6 * adapters);
        assertThat(estimate.primary().optimizerState()).isEqualTo(8 * adapters);
        assertThat(estimate.primary().reference()).isZero();
        assertThat(estimate.summary()).startsWith("estimated GPU memory per device: 13.7 GiB weights, 0.2 GiB "
                + "gradients, 0.3 GiB optimizer state, 0 reference, ");
    }

    @Test
    void theRefusalNamesTheLargestBatchAndLengthThatFit() {
        MemoryInputs tiny = new MemoryInputs(MemoryEstimateTest.LLAMA, DataType.FLOAT32, false, 0,
                ReferenceModel.COPY, 1, 8, 100, false, MemoryEstimateTest.chunks(MemoryEstimateTest.LLAMA, 100));
        long free = tiny.withPerDeviceTrainBatchSize(3).estimate(AMPLE).total();
        assertThat(tiny.withPerDeviceTrainBatchSize(4).estimate(AMPLE).total()).isGreaterThan(free);
        // the activations of 3 pairs of 100 tokens hold 8 pairs of 37; neither LoRA nor recomputing saves enough
        String atLength37 = MemoryEstimate.size(tiny.withMaxLength(37).estimate(AMPLE).total());
        assertThat(tiny.withMaxLength(38).estimate(AMPLE).total()).isGreaterThan(free);
        assertThatThrownBy(() -> MemoryCheck.requireFits(tiny, free)).isInstanceOf(InsufficientMemoryException.class)
                .hasMessageEndingWith(" It would fit with per_device_train_batch_size 3 (" + MemoryEstimate.size(free)
                        + "), or max_length 37 (" + atLength37 + ").");
        assertThat(MemoryCheck.requireFits(tiny, free + (long) (free * 0.01)).total()).isGreaterThan(free);
    }

    @Test
    void theRefusalNamesGradientCheckpointingWhenItFits() {
        // with two layers recomputing one saves nothing: eight make the difference
        MemoryInputs tiny = new MemoryInputs(ActivationsTest.deep(8), DataType.FLOAT32, false, 0,
                ReferenceModel.COPY, 1, 1, 100, false, MemoryEstimateTest.chunks(ActivationsTest.deep(8), 100));
        long free = tiny.withGradientCheckpointing(true).estimate(AMPLE).total();
        assertThatThrownBy(() -> MemoryCheck.requireFits(tiny, free)).hasMessageContaining(
                "It would fit with gradient_checkpointing true (" + MemoryEstimate.size(free) + ")");
    }

    @Test
    void whenNothingFitsItSaysSo() {
        MemoryInputs tiny = new MemoryInputs(MemoryEstimateTest.LLAMA, DataType.FLOAT32, false, 0,
                ReferenceModel.COPY, 1, 8, 100, false, MemoryEstimateTest.chunks(MemoryEstimateTest.LLAMA, 100));
        assertThatThrownBy(() -> MemoryCheck.requireFits(tiny, MemoryInputs.WORKSPACE))
                .hasMessageEndingWith("No change of use_peft, gradient_checkpointing, per_device_train_batch_size or "
                        + "max_length alone makes it fit; it needs a device with more memory.");
    }

    @Test
    void hostMemoryIsNeverRefused() {
        MemoryInputs full = mistral(false, LoraOptions.enabled());
        assertThat(MemoryCheck.requireFits(full, Long.MAX_VALUE).recompute()).isFalse();
    }
}
