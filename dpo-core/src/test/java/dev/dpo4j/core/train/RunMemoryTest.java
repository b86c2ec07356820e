package dev.dpo4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.internal.placement.FlatRuns;
import dev.dpo4j.core.lora.LoraOptions;
import dev.dpo4j.core.memory.MemoryInputs;
import dev.dpo4j.core.memory.ReferenceModel;
import dev.dpo4j.core.model.ModelConfig;
import dev.dpo4j.core.scoring.RecomputePlan;
import dev.dpo4j.testing.TinyModels;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A run's options as the memory estimate's inputs. */
class RunMemoryTest {

    private static final ModelConfig LLAMA = TinyModels.config("llama", 50, false);

    private static DpoConfig.Builder options() {
        return DpoConfig.builder().outputDir(Path.of("out")).perDeviceTrainBatchSize(3);
    }

    @Test
    void fullTrainingKeepsAReferenceCopy() {
        MemoryInputs inputs = RunMemory.inputs(options().gradientCheckpointing(true).build(), LLAMA,
                DataType.BFLOAT16, 2, true, false, 77, 1);
        assertThat(inputs).isEqualTo(new MemoryInputs(LLAMA, DataType.BFLOAT16, false,
                LoraOptions.DEFAULTS.adapterParameters(LLAMA), ReferenceModel.COPY, 2, 3, 77, true,
                RecomputePlan.headChunks(LLAMA.vocabSize())));
    }

    @Test
    void loraUsesTheBaseAsReferenceAndCountsItsTargets() {
        MemoryInputs inputs = RunMemory.inputs(options().usePeft(true).loraR(8)
                .loraTargetModules(List.of(LoraOptions.ALL_LINEAR)).build(), LLAMA, DataType.FLOAT16, 1, true, false,
                77, 1);
        assertThat(inputs.usePeft()).isTrue();
        assertThat(inputs.reference()).isEqualTo(ReferenceModel.ADAPTERS_OFF);
        assertThat(inputs.adapterParameters()).isEqualTo(8L * 2 * (64 + 48 + 48 + 64 + 3 * 96));
        assertThat(inputs.gradientCheckpointing()).isNull();
        assertThat(RunMemory.inputs(options().usePeft(true).build(), LLAMA, DataType.FLOAT16, 1, true, true, 77, 1)
                .reference()).as("a reference model of its own").isEqualTo(ReferenceModel.COPY);
    }

    @Test
    void aPrecomputedOrAbsentReferenceHoldsNoWeights() {
        assertThat(RunMemory.inputs(options().precomputeRefLogProbs(true).build(), LLAMA, DataType.FLOAT32, 1, true,
                false, 10, 1).reference()).isEqualTo(ReferenceModel.PRECOMPUTED);
        assertThat(RunMemory.inputs(options().build(), LLAMA, DataType.FLOAT32, 1, false, false, 10, 1).reference())
                .isEqualTo(ReferenceModel.NONE);
    }

    @Test
    void offloadOptimizerKeepsTheStateInHostMemory() {
        MemoryInputs inputs = RunMemory.inputs(options().offloadOptimizer(true).build(), LLAMA, DataType.BFLOAT16, 1,
                true, false, 77, 1);
        assertThat(inputs.offloadOptimizer()).isTrue();
        assertThat(inputs.estimate(1L << 50).host()).isNotNull();
        assertThat(RunMemory.inputs(options().build(), LLAMA, DataType.BFLOAT16, 1, true, false, 77, 1)
                .offloadOptimizer()).isFalse();
    }

    @Test
    void theEstimatesTransferIsTheTrainersRun() {
        assertThat(MemoryInputs.TRANSFER_ELEMENTS).isEqualTo(FlatRuns.RUN_ELEMENTS);
    }
}
