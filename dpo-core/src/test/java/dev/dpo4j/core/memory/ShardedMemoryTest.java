package dev.dpo4j.core.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.lora.LoraOptions;
import dev.dpo4j.core.model.ModelConfig;
import dev.dpo4j.core.scoring.RecomputePlan;
import org.junit.jupiter.api.Test;

/** The per-rank estimate when ZeRO stage 1 splits the AdamW moments (and the gradients they read) across ranks. */
class ShardedMemoryTest {

    private static final ModelConfig MISTRAL = MemoryCheckTest.mistral7b();
    private static final long MISTRAL_PARAMETERS = 7_241_732_096L;
    private static final double GIB = 1L << 30;

    /** Full-parameter bfloat16 Mistral-7B, one pair of 6000 tokens per rank, checkpointing, its reference a copy. */
    private static MemoryEstimate.PerDevice mistral(int shards) {
        return mistral(shards, false);
    }

    private static MemoryEstimate.PerDevice mistral(int shards, boolean shardedGradients) {
        return new MemoryInputs(MISTRAL, DataType.BFLOAT16, false, LoraOptions.enabled().adapterParameters(MISTRAL),
                ReferenceModel.COPY, 1, 1, 6000, true, RecomputePlan.headChunks(MISTRAL.vocabSize()), false, shards,
                shardedGradients).estimate(80L << 30).primary();
    }

    @Test
    void eightRanksHoldAnEighthOfTheMomentsAndOfTheGradientsTheyRead() {
        MemoryEstimate.PerDevice whole = mistral(1);
        MemoryEstimate.PerDevice eighth = mistral(8);
        assertThat(whole.optimizerState()).isEqualTo(8 * MISTRAL_PARAMETERS);
        assertThat(eighth.optimizerState()).isEqualTo(8 * (MISTRAL_PARAMETERS / 8));
        assertThat(eighth.gradients() - whole.gradients()).isEqualTo(4 * (MISTRAL_PARAMETERS / 8));
        assertThat(eighth.weights()).isEqualTo(whole.weights()); // float32 masters and bfloat16 copies, whole
        // per rank, in GiB: 40.5 weights (float32 masters and bfloat16 copies), 43.8 gradients, 6.7 moments
        assertThat(eighth.weights() / GIB).isCloseTo(40.5, offset(0.1));
        assertThat(eighth.gradients() / GIB).isCloseTo(43.8, offset(0.1));
        assertThat(eighth.optimizerState() / GIB).isCloseTo(6.7, offset(0.1));
    }

    @Test
    void zeroStageTwoKeepsNoWholeFloat32Gradients() {
        MemoryEstimate.PerDevice stageOne = mistral(8);
        MemoryEstimate.PerDevice stageTwo = mistral(8, true);
        assertThat(stageOne.gradients() - stageTwo.gradients()).isEqualTo(4 * MISTRAL_PARAMETERS);
        // per rank, in GiB: 40.5 weights, 16.9 gradients (bfloat16 copies' and the float32 part), 6.7 moments
        assertThat(stageTwo.gradients() / GIB).isCloseTo(16.9, offset(0.1));
        assertThatThrownBy(() -> mistral(1, true)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("need several ranks");
    }

    @Test
    void aRefusalNamesZeroStageTwoOrTheRanksThatFit() {
        MemoryInputs one = new MemoryInputs(MISTRAL, DataType.BFLOAT16, false,
                LoraOptions.enabled().adapterParameters(MISTRAL), ReferenceModel.PRECOMPUTED, 1, 1, 2048, true,
                RecomputePlan.headChunks(MISTRAL.vocabSize()), false);
        assertThatThrownBy(() -> MemoryCheck.requireFits(one, 80L << 30, Long.MAX_VALUE))
                .hasMessageContaining("needs an estimated 138.5 GiB")
                .hasMessageContaining("--nproc_per_node 4 with zero_stage 2 (77.8 GiB)");
        // eight ranks at ZeRO 1 with 6000-token pairs: stage 2 fits; offloading is for one process, not named
        assertThatThrownBy(() -> MemoryCheck.requireFits(one.withRanks(8, 1).withMaxLength(6000), 80L << 30,
                Long.MAX_VALUE)).hasMessageContaining("needs an estimated 99.3 GiB")
                .hasMessageContaining("zero_stage 2 (72.3 GiB)").hasMessageNotContaining("offload_optimizer")
                .hasMessageNotContaining("nproc_per_node");
    }

    @Test
    void theShardsAreCounted() {
        assertThatThrownBy(() -> mistral(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("split into 0 shards");
    }
}
