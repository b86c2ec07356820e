package dev.dpo4j.core.train;

import static dev.dpo4j.testing.TrainedWeights.assertAdaptersTrainedAlike;
import static dev.dpo4j.testing.TrainedWeights.assertMoved;
import static dev.dpo4j.testing.TrainedWeights.assertSameTensors;
import static dev.dpo4j.testing.TrainedWeights.assertTrainedAlike;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.dpo4j.api.loss.LossFunction;
import dev.dpo4j.api.train.TrainingListener;
import dev.dpo4j.api.train.TrainingPlan;
import dev.dpo4j.api.train.TrainingSummary;
import dev.dpo4j.core.checkpoint.CheckpointException;
import dev.dpo4j.core.lora.AdapterFolder;
import dev.dpo4j.core.lora.LoraOptions;
import dev.dpo4j.core.loss.Losses;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.tokenizer.HfTokenizer;
import dev.dpo4j.core.tokenizer.TextTokenizer;
import dev.dpo4j.testing.RandomInit;
import dev.dpo4j.testing.TinyModels;
import dev.dpo4j.testing.TrainedWeights;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Data parallelism on the CPU: DJL treats every CPU as one device, so the CPU listed several times gives several
 * workers, each with its own weights, reference, thread and gradients, as GPUs would have.
 */
class DataParallelTest extends TinyModelTraining {

    private static final Device CPU = Device.cpu();

    private DpoTrainer.Builder base(Path out) {
        return trainer(out).learningRate(5e-3).perDeviceTrainBatchSize(2).loggingSteps(1).seed(5);
    }

    @ParameterizedTest(name = "fp16={0} checkpointing={1} precomputed reference={2}")
    @CsvSource({"false,false,false", "true,true,false", "false,true,true"})
    void twoDevicesGiveTheUpdateOfTheSameGlobalBatchOnOne(boolean fp16, boolean checkpointing, boolean precompute) {
        List<TrainingPlan> plans = new ArrayList<>();
        TrainingSummary one = base(tmp.resolve("one")).devices(CPU).gradientAccumulationSteps(4).maxSteps(3)
                .fp16(fp16).gradientCheckpointing(checkpointing).precomputeRefLogProbs(precompute)
                .evalData(TinyModels.arithmetic(6)).build().train();
        TrainingSummary two = base(tmp.resolve("two")).devices(CPU, CPU).gradientAccumulationSteps(2).maxSteps(3)
                .fp16(fp16).gradientCheckpointing(checkpointing).precomputeRefLogProbs(precompute)
                .evalData(TinyModels.arithmetic(6)).listener(planRecorder(plans)).build().train();

        assertThat(plans.get(0).deviceCount()).isEqualTo(2);
        assertThat(plans.get(0).globalBatchSize()).isEqualTo(8);
        assertThat(plans.get(0).devices()).isEqualTo("cpu(), cpu()");
        assertThat(two.steps()).isEqualTo(one.steps()).isEqualTo(3);
        // training moved the weights, and both runs moved them alike
        assertThat(one.lastTrain().rewardsMargin()).isNotZero();
        assertThat(two.lastTrain().loss()).isCloseTo(one.lastTrain().loss(), within(fp16 ? 2e-3 : 1e-5));
        assertThat(two.lastTrain().gradNorm()).isCloseTo(one.lastTrain().gradNorm(), within(fp16 ? 2e-2 : 1e-4));
        assertThat(two.lastEval().loss()).isCloseTo(one.lastEval().loss(), within(fp16 ? 2e-3 : 1e-5));
        assertThat(two.lastEval().rewardsAccuracy()).isEqualTo(one.lastEval().rewardsAccuracy());
        assertTrainedAlike(modelDir, tmp.resolve("one"), tmp.resolve("two"), fp16 ? 2e-3f : 1e-4f);
    }

    @Test
    void bfloat16OnTwoDevicesGivesTheUpdateOfOne() {
        TrainingSummary one = base(tmp.resolve("one")).devices(CPU).gradientAccumulationSteps(4).maxSteps(3)
                .bf16(true).build().train();
        TrainingSummary two = base(tmp.resolve("two")).devices(CPU, CPU).gradientAccumulationSteps(2).maxSteps(3)
                .bf16(true).build().train();
        assertThat(one.lastTrain().rewardsMargin()).isNotZero();
        assertThat(two.lastTrain().loss()).isCloseTo(one.lastTrain().loss(), within(2e-3));
        assertTrainedAlike(modelDir, tmp.resolve("one"), tmp.resolve("two"), 2e-3f);
    }

    @ParameterizedTest(name = "fp16={0} checkpointing={1}")
    @CsvSource({"false,false", "true,true"})
    void loraAdaptersOnTwoDevicesGetTheUpdateOfOne(boolean fp16, boolean checkpointing) {
        LoraOptions lora = LoraOptions.enabled().with(LoraOptions::loraR, 4).with(LoraOptions::loraTargetModules, List.of(LoraOptions.ALL_LINEAR));
        TrainingSummary one = base(tmp.resolve("one")).devices(CPU).gradientAccumulationSteps(4).maxSteps(3)
                .lora(lora).fp16(fp16).gradientCheckpointing(checkpointing).build().train();
        TrainingSummary two = base(tmp.resolve("two")).devices(CPU, CPU).gradientAccumulationSteps(2).maxSteps(3)
                .lora(lora).fp16(fp16).gradientCheckpointing(checkpointing).build().train();
        assertThat(one.lastTrain().rewardsMargin()).isNotZero();
        assertThat(two.lastTrain().loss()).isCloseTo(one.lastTrain().loss(), within(fp16 ? 2e-3 : 1e-5));
        assertAdaptersTrainedAlike(tmp.resolve("one"), tmp.resolve("two"), fp16 ? 2e-3f : 1e-4f);
    }

    @Test
    void aContinuedAdapterOnTwoDevicesRefersToItsStartOnBoth() {
        base(tmp.resolve("start")).lora(LoraOptions.enabled().with(LoraOptions::loraR, 4)).maxSteps(2).build().train();
        Path adapter = tmp.resolve("start");
        TrainingSummary one = DpoTrainer.builder().modelPath(adapter).trainData(TinyModels.arithmetic(16))
                .outputDir(tmp.resolve("one")).progressBar(false).learningRate(5e-3).perDeviceTrainBatchSize(2)
                .loggingSteps(1).seed(5).devices(CPU).gradientAccumulationSteps(4).maxSteps(2).build().train();
        TrainingSummary two = DpoTrainer.builder().modelPath(adapter).trainData(TinyModels.arithmetic(16))
                .outputDir(tmp.resolve("two")).progressBar(false).learningRate(5e-3).perDeviceTrainBatchSize(2)
                .loggingSteps(1).seed(5).devices(CPU, CPU).gradientAccumulationSteps(2).maxSteps(2).build().train();
        assertThat(two.lastTrain().loss()).isCloseTo(one.lastTrain().loss(), within(1e-5));
        assertThat(two.lastTrain().rewardsMargin()).isCloseTo(one.lastTrain().rewardsMargin(), within(1e-5));
        assertThat(one.lastTrain().rewardsMargin()).isNotZero();
        // both continued the adapter they started from, and alike
        assertMoved(adapter.resolve(AdapterFolder.WEIGHTS), tmp.resolve("one").resolve(AdapterFolder.WEIGHTS), 1e-4f);
        assertMoved(adapter.resolve(AdapterFolder.WEIGHTS), tmp.resolve("two").resolve(AdapterFolder.WEIGHTS), 1e-4f);
        assertSameTensors(tmp.resolve("one").resolve(AdapterFolder.WEIGHTS),
                tmp.resolve("two").resolve(AdapterFolder.WEIGHTS), 1e-4f);
    }

    @Test
    void aStepWithFewerMicroBatchesThanDevicesLeavesTheRestIdle() {
        // 16 pairs in batches of 2 = 8 micro-batches; 3 devices take 3 per step, so step 3 has 2
        TrainingSummary one = base(tmp.resolve("one")).devices(CPU).gradientAccumulationSteps(3).build().train();
        TrainingSummary three = base(tmp.resolve("three")).devices(CPU, CPU, CPU).build().train();
        assertThat(three.steps()).isEqualTo(one.steps()).isEqualTo(3);
        assertThat(three.lastTrain().loss()).isCloseTo(one.lastTrain().loss(), within(1e-5));
        // key biases get no true gradient (softmax ignores a per-query shift), so Adam amplifies rounding there
        assertTrainedAlike(modelDir, tmp.resolve("one"), tmp.resolve("three"), 1e-4f);
    }

    @Test
    void aCheckpointFromTwoDevicesResumesOnOneWithTheSameGlobalBatchAndRefusesAnother() {
        base(tmp.resolve("two")).devices(CPU, CPU).maxSteps(4).saveStrategy(SaveStrategy.STEPS).saveSteps(2).build()
                .train();
        Path checkpoint = tmp.resolve("two/checkpoint-2");

        base(tmp.resolve("one")).devices(CPU).gradientAccumulationSteps(2).maxSteps(4).resumeFromCheckpoint(checkpoint)
                .build().train();
        assertTrainedAlike(modelDir, tmp.resolve("two"), tmp.resolve("one"), 1e-4f);

        assertThatThrownBy(() -> base(tmp.resolve("other")).devices(CPU).maxSteps(4).resumeFromCheckpoint(checkpoint)
                .build().train()).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("was written with a global batch of 4 pairs per step, but this run has 2 "
                        + "(2 per device x 1 accumulation x 1 devices)");
    }

    @Test
    void aFailureOnAnotherDeviceStopsTrainingWithItsMessage() {
        LossFunction sigmoid = Losses.sigmoid(0.1);
        List<String> threads = Collections.synchronizedList(new ArrayList<>());
        LossFunction failsOffTheMainThread = logps -> {
            threads.add(Thread.currentThread().getName());
            if (Thread.currentThread().getName().startsWith("dpo4j-device")) {
                throw new IllegalStateException("loss failed on " + Thread.currentThread().getName());
            }
            return sigmoid.compute(logps);
        };
        assertThatThrownBy(() -> base(tmp.resolve("out")).devices(CPU, CPU).loss(failsOffTheMainThread).build()
                .train()).isInstanceOf(IllegalStateException.class).hasMessage("loss failed on dpo4j-device-1");
        assertThat(threads).contains(Thread.currentThread().getName(), "dpo4j-device-1");
    }

    @Test
    void builderRefusesAnEmptyNullOrMultiDeviceList() {
        assertThatThrownBy(() -> base(tmp.resolve("out")).devices(List.of()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("devices(...) is empty");
        assertThatThrownBy(() -> base(tmp.resolve("out")).devices(CPU, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("devices(...): device 1 is null");
        assertThatThrownBy(() -> base(tmp.resolve("out")).devices(new Device.MultiDevice(CPU, CPU)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a MultiDevice");
        try (NDManager manager = NDManager.newBaseManager(CPU);
                CausalLm model = RandomInit.create(TinyModels.config("llama", 50, false), manager, 1, 0.02);
                TextTokenizer tokenizer = HfTokenizer.load(modelDir)) {
            assertThatThrownBy(() -> DpoTrainer.builder().model(model, tokenizer, null).trainData(List.of())
                    .outputDir(tmp.resolve("out")).devices(Device.gpu(0), CPU).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("devices(...) must start with the device model(...) lives on (cpu()), got [gpu(0), "
                            + "cpu()]");
        }
    }

    private static TrainingListener planRecorder(List<TrainingPlan> plans) {
        return new TrainingListener() {
            @Override
            public void onTrainingStart(TrainingPlan plan) {
                plans.add(plan);
            }
        };
    }
}
