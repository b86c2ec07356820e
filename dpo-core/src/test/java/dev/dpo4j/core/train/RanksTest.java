package dev.dpo4j.core.train;

import static dev.dpo4j.testing.TrainedWeights.assertAdaptersTrainedAlike;
import static dev.dpo4j.testing.TrainedWeights.assertTrainedAlike;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import dev.dpo4j.api.loss.LossFunction;
import dev.dpo4j.api.train.TrainingSummary;
import dev.dpo4j.core.checkpoint.OptimizerShards;
import dev.dpo4j.core.checkpoint.TrainingCheckpoint;
import dev.dpo4j.core.distributed.Collectives;
import dev.dpo4j.core.distributed.CollectivesException;
import dev.dpo4j.core.distributed.ThreadRanks;
import dev.dpo4j.core.lora.LoraOptions;
import dev.dpo4j.core.loss.Losses;
import dev.dpo4j.testing.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Ranks as threads of one JVM, each with its own trainer, over a test double of a collective library
 * ({@link ThreadRanks}): N ranks train to the weights one process reaches with the same global batch, whatever the
 * ZeRO stage, and their checkpoints resume on any number of ranks. Float32, within 1e-4 of each tensor's largest
 * value: the sums over ranks add the same gradients in another order than one process's accumulation.
 */
class RanksTest extends TinyModelTraining {

    private DpoTrainer.Builder base(Path out) {
        return trainer(out).learningRate(5e-3).perDeviceTrainBatchSize(2).loggingSteps(1).seed(5)
                .devices(Device.cpu());
    }

    /** Trains {@code ranks} ranks, each configured by {@code configure}; returns their summaries in rank order. */
    private static List<TrainingSummary> onRanks(int ranks, UnaryOperator<DpoTrainer.Builder> configure,
            Path out) throws Exception {
        return onRanks(ranks, (rank, b) -> configure.apply(b), out);
    }

    /** As the other, {@code configure} told each rank's number. */
    private static List<TrainingSummary> onRanks(int ranks,
            BiFunction<Integer, DpoTrainer.Builder, DpoTrainer.Builder> configure, Path out) throws Exception {
        List<Collectives> group = ThreadRanks.of(ranks);
        ExecutorService threads = Executors.newFixedThreadPool(ranks);
        try {
            List<Future<TrainingSummary>> runs = new ArrayList<>();
            for (Collectives rank : group) {
                runs.add(threads.submit(() -> {
                    try {
                        return configure.apply(rank.rank(), trainer(out)).ranks(rank).build().train();
                    } catch (RuntimeException | Error e) {
                        rank.close(); // the others fail at once rather than wait
                        throw e;
                    }
                }));
            }
            List<TrainingSummary> summaries = new ArrayList<>();
            for (Future<TrainingSummary> run : runs) {
                summaries.add(run.get());
            }
            return summaries;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } finally {
            threads.shutdownNow();
        }
    }

    private UnaryOperator<DpoTrainer.Builder> settings(UnaryOperator<DpoTrainer.Builder> more) {
        return b -> more.apply(b.learningRate(5e-3).perDeviceTrainBatchSize(2).loggingSteps(1).seed(5)
                .devices(Device.cpu()));
    }

    @ParameterizedTest(name = "zero_stage={0}")
    @CsvSource({"0", "1", "2"})
    void twoRanksGiveTheUpdateOfTheSameGlobalBatchInOneProcess(int stage) throws Exception {
        TrainingSummary one = base(tmp.resolve("one")).gradientAccumulationSteps(4).maxSteps(3)
                .evalData(TinyModels.arithmetic(6)).build().train();
        List<TrainingSummary> two = onRanks(2, settings(b -> b.gradientAccumulationSteps(2).maxSteps(3).zeroStage(stage)
                .evalData(TinyModels.arithmetic(6))), tmp.resolve("two"));

        assertThat(one.lastTrain().rewardsMargin()).isNotZero(); // training moved the weights
        for (TrainingSummary rank : two) { // every rank saw the run's metrics, summed over the ranks
            assertThat(rank.steps()).isEqualTo(3);
            assertThat(rank.lastTrain().loss()).isCloseTo(one.lastTrain().loss(), within(1e-5));
            assertThat(rank.lastTrain().gradNorm()).isCloseTo(one.lastTrain().gradNorm(), within(1e-4));
            assertThat(rank.lastEval().loss()).isCloseTo(one.lastEval().loss(), within(1e-5));
        }
        assertTrainedAlike(modelDir, tmp.resolve("one"), tmp.resolve("two"), 1e-4f);
        assertThat(Files.readAllLines(tmp.resolve("two/metrics.jsonl")))
                .hasSameSizeAs(Files.readAllLines(tmp.resolve("one/metrics.jsonl"))); // rank 0 alone writes
    }

    @ParameterizedTest(name = "zero_stage={0} fp16={1}")
    @CsvSource({"1,false", "2,false", "2,true"})
    void halfPrecisionOnTwoRanksGivesTheUpdateOfOne(int stage, boolean fp16) throws Exception {
        UnaryOperator<DpoTrainer.Builder> precision = b -> fp16 ? b.fp16(true) : b.bf16(true);
        TrainingSummary one = precision.apply(base(tmp.resolve("one")).gradientAccumulationSteps(4).maxSteps(3))
                .gradientCheckpointing(true).build().train();
        List<TrainingSummary> two = onRanks(2, settings(b -> precision.apply(b.gradientAccumulationSteps(2)
                .maxSteps(3).zeroStage(stage).gradientCheckpointing(true))), tmp.resolve("two"));
        assertThat(one.lastTrain().rewardsMargin()).isNotZero();
        assertThat(two.get(1).lastTrain().loss()).isCloseTo(one.lastTrain().loss(), within(2e-3));
        assertTrainedAlike(modelDir, tmp.resolve("one"), tmp.resolve("two"), 2e-3f);
    }

    @Test
    void threeRanksWithAPaddedShardAndAShortLastStepGiveTheUpdateOfOne() throws Exception {
        // 16 pairs in batches of 2 = 8 micro-batches; 3 ranks take 3 per step, so step 3 has 2 and rank 2 idles
        TrainingSummary one = base(tmp.resolve("one")).gradientAccumulationSteps(3).build().train();
        List<TrainingSummary> three = onRanks(3, settings(b -> b.zeroStage(1)), tmp.resolve("three"));
        assertThat(three.get(0).steps()).isEqualTo(one.steps()).isEqualTo(3);
        assertThat(three.get(2).lastTrain().loss()).isCloseTo(one.lastTrain().loss(), within(1e-5));
        assertTrainedAlike(modelDir, tmp.resolve("one"), tmp.resolve("three"), 1e-4f);
    }

    @Test
    void loraAdaptersOnTwoRanksGetTheUpdateOfOne() throws Exception {
        LoraOptions lora = LoraOptions.enabled().with(LoraOptions::loraR, 4)
                .with(LoraOptions::loraTargetModules, List.of(LoraOptions.ALL_LINEAR));
        TrainingSummary one = base(tmp.resolve("one")).gradientAccumulationSteps(4).maxSteps(3).lora(lora).build()
                .train();
        List<TrainingSummary> two = onRanks(2, settings(b -> b.gradientAccumulationSteps(2).maxSteps(3).lora(lora)),
                tmp.resolve("two"));
        assertThat(two.get(0).lastTrain().loss()).isCloseTo(one.lastTrain().loss(), within(1e-5));
        assertAdaptersTrainedAlike(tmp.resolve("one"), tmp.resolve("two"), 1e-4f);
    }

    @ParameterizedTest(name = "zero_stage={0}")
    @CsvSource({"1", "2"})
    void aShardedCheckpointResumesOnTwoRanksOnOneProcessAndOnThreeRanks(int stage) throws Exception {
        UnaryOperator<DpoTrainer.Builder> run = b -> b.maxSteps(4).saveStrategy(SaveStrategy.STEPS).saveSteps(2)
                .zeroStage(stage);
        onRanks(2, settings(b -> run.apply(b).gradientAccumulationSteps(3)), tmp.resolve("two"));
        Path checkpoint = tmp.resolve("two/checkpoint-2");
        assertThat(checkpoint.resolve(OptimizerShards.fileName(0))).isRegularFile();
        assertThat(checkpoint.resolve(OptimizerShards.fileName(1))).isRegularFile();
        assertThat(checkpoint.resolve(TrainingCheckpoint.OPTIMIZER)).doesNotExist();
        assertThat(tmp.resolve("two")).isDirectoryNotContaining("glob:**.tmp-*");

        onRanks(2, settings(b -> run.apply(b).gradientAccumulationSteps(3).resumeFromCheckpoint(checkpoint)),
                tmp.resolve("resumed"));
        assertTrainedAlike(modelDir, tmp.resolve("two"), tmp.resolve("resumed"), 1e-5f);

        base(tmp.resolve("one")).gradientAccumulationSteps(6).maxSteps(4).saveStrategy(SaveStrategy.STEPS)
                .saveSteps(2).resumeFromCheckpoint(checkpoint).build().train();
        assertTrainedAlike(modelDir, tmp.resolve("two"), tmp.resolve("one"), 1e-4f);

        onRanks(3, settings(b -> run.apply(b).gradientAccumulationSteps(2).zeroStage(3 - stage)
                .resumeFromCheckpoint(checkpoint)), tmp.resolve("three"));
        assertTrainedAlike(modelDir, tmp.resolve("two"), tmp.resolve("three"), 1e-4f);
    }

    @Test
    void aCheckpointOfOneProcessResumesOnTwoRanks() throws Exception {
        base(tmp.resolve("one")).gradientAccumulationSteps(4).maxSteps(4).saveStrategy(SaveStrategy.STEPS)
                .saveSteps(2).build().train();
        onRanks(2, settings(b -> b.gradientAccumulationSteps(2).maxSteps(4)
                .resumeFromCheckpoint(tmp.resolve("one/checkpoint-2"))), tmp.resolve("two"));
        assertTrainedAlike(modelDir, tmp.resolve("one"), tmp.resolve("two"), 1e-4f);
    }

    @Test
    void aRankThatFailsEndsTheOthersInsteadOfLeavingThemWaiting() {
        LossFunction sigmoid = Losses.sigmoid(0.1);
        LossFunction failing = logps -> {
            throw new IllegalStateException("rank 1's loss failed");
        };
        long start = System.nanoTime();
        assertThatThrownBy(() -> onRanks(2, (rank, b) -> settings(s -> s.maxSteps(2)).apply(b)
                .loss(rank == 1 ? failing : sigmoid), tmp.resolve("out")))
                .isInstanceOf(CollectivesException.class); // rank 0's error: its group broke
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(20);
    }

    @Test
    void offloadIsForOneProcess() {
        assertThatThrownBy(() -> onRanks(2, settings(b -> b.maxSteps(2).offloadOptimizer(true)), tmp.resolve("out")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("offload_optimizer keeps the optimizer state of one process")
                .hasMessageContaining("use zero_stage instead");
    }

    @Test
    void ranksTrainOneDeviceEach() {
        assertThatThrownBy(() -> base(tmp.resolve("out")).devices(Device.cpu(), Device.cpu())
                .ranks(ThreadRanks.of(2).get(0)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ranks(...) trains one device per rank, but devices(...) names 2");
    }
}
