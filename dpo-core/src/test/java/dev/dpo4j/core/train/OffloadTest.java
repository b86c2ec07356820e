package dev.dpo4j.core.train;

import static dev.dpo4j.testing.TrainedWeights.assertTrainedAlike;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import dev.dpo4j.api.train.TrainingListener;
import dev.dpo4j.api.train.TrainingPlan;
import dev.dpo4j.api.train.TrainingSummary;
import dev.dpo4j.core.lora.LoraOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code offload_optimizer}: the optimizer's state in host memory, every device training on a copy, against the
 * state on the device. On the CPU the host is the device, so what differs is the path: the copies, the transfers in
 * runs and the drain into the host's accumulators, which must give the same update. In float32 the two agree to float32
 * rounding, not bit for bit: the copies run q/k/v and gate/up as one stacked matmul each, the masters on the device as
 * separate ones, and Adam's first steps, about {@code lr * sign(g)}, magnify that rounding where a gradient is near
 * zero (up to 3.5e-5 of a tensor's largest value seen here; the same tolerance as several devices against one).
 */
class OffloadTest extends TinyModelTraining {

    private static final Device CPU = Device.cpu();
    /** Stacked and separate projections train alike to this, relative to a tensor's largest value, in float32. */
    private static final float FLOAT32_ROUNDING = 1e-4f;

    private DpoTrainer.Builder base(String out) {
        return trainer(tmp.resolve(out)).learningRate(5e-3).perDeviceTrainBatchSize(2).loggingSteps(1).seed(5)
                .maxGradNorm(0.05).maxSteps(3);
    }

    @ParameterizedTest(name = "fp16={0} checkpointing={1} accumulation={2}")
    @CsvSource({"false,false,1", "false,true,4", "true,false,4", "true,true,2"})
    void theStateInHostMemoryTrainsAsTheStateOnTheDevice(boolean fp16, boolean checkpointing, int accumulation) {
        List<TrainingPlan> plans = new ArrayList<>();
        TrainingSummary device = base("device").fp16(fp16).gradientCheckpointing(checkpointing)
                .gradientAccumulationSteps(accumulation).build().train();
        TrainingSummary host = base("host").fp16(fp16).gradientCheckpointing(checkpointing)
                .gradientAccumulationSteps(accumulation).offloadOptimizer(true).listener(new TrainingListener() {
                    @Override
                    public void onTrainingStart(TrainingPlan plan) {
                        plans.add(plan);
                    }
                }).build().train();

        assertThat(plans.get(0).precision()).endsWith(", optimizer state in host memory");
        assertThat(host.steps()).isEqualTo(device.steps()).isEqualTo(3);
        assertThat(device.lastTrain().gradNorm()).as("the clip is in effect").isGreaterThan(0.05);
        assertThat(host.lastTrain().loss()).isCloseTo(device.lastTrain().loss(), within(fp16 ? 1e-4 : 1e-6));
        assertThat(host.lastTrain().gradNorm()).isCloseTo(device.lastTrain().gradNorm(), within(fp16 ? 1e-3 : 1e-5));
        assertTrainedAlike(modelDir, tmp.resolve("device"), tmp.resolve("host"), fp16 ? 1e-3f : FLOAT32_ROUNDING);
    }

    @Test
    void twoDevicesReadTheirCopiesFromTheHost() {
        base("one").gradientAccumulationSteps(4).build().train();
        base("two").devices(CPU, CPU).gradientAccumulationSteps(2).offloadOptimizer(true).build().train();
        assertTrainedAlike(modelDir, tmp.resolve("one"), tmp.resolve("two"), 1e-4f);
    }

    @Test
    void resumingAnOffloadedRunIsExact() {
        base("whole").maxSteps(4).offloadOptimizer(true).saveStrategy(SaveStrategy.STEPS).saveSteps(2).build()
                .train();
        base("resumed").maxSteps(4).offloadOptimizer(true).resumeFromCheckpoint(tmp.resolve("whole/checkpoint-2"))
                .build().train();
        assertTrainedAlike(modelDir, tmp.resolve("whole"), tmp.resolve("resumed"), 1e-6f);
    }

    @Test
    void aCheckpointOfTheStateOnTheDeviceResumesInHostMemory() {
        base("whole").maxSteps(4).saveStrategy(SaveStrategy.STEPS).saveSteps(2).build().train();
        base("resumed").maxSteps(4).offloadOptimizer(true).resumeFromCheckpoint(tmp.resolve("whole/checkpoint-2"))
                .build().train();
        assertTrainedAlike(modelDir, tmp.resolve("whole"), tmp.resolve("resumed"), FLOAT32_ROUNDING);
    }

    @Test
    void loraKeepsItsStateOnTheDevice() {
        assertThatThrownBy(() -> base("lora").lora(LoraOptions.enabled()).offloadOptimizer(true).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("offload_optimizer is for full-parameter training");
    }
}
