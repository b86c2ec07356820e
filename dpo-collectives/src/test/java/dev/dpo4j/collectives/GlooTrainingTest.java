package dev.dpo4j.collectives;

import static dev.dpo4j.testing.TrainedWeights.assertTrainedAlike;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.dpo4j.core.distributed.Collectives;
import dev.dpo4j.core.distributed.RankEnvironment;
import dev.dpo4j.core.train.DpoTrainer;
import dev.dpo4j.testing.TinyModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer's ranks through Gloo, the real collective library: two processes started as the {@code dpo} launcher
 * starts them (torchrun's variables), and two threads of this JVM, train a tiny model to the weights one process
 * reaches with the same global batch. Float32, within 1e-4 of each tensor's largest value: the ranks sum the same
 * gradients in another order than one process accumulates them.
 */
class GlooTrainingTest {

    @TempDir
    static Path shared;
    static Path modelDir;

    @TempDir
    Path tmp;

    @BeforeAll
    static void writeModel() {
        modelDir = TinyModels.writeModel(shared.resolve("tiny-qwen2"), "qwen2", 3);
    }

    /** The settings every run shares: 16 pairs in micro-batches of 2, three steps. */
    static DpoTrainer.Builder settings(DpoTrainer.Builder builder) {
        return builder.trainData(TinyModels.arithmetic(16)).beta(0.1).progressBar(false).learningRate(5e-3)
                .perDeviceTrainBatchSize(2).loggingSteps(1).seed(5).maxSteps(3).devices(Device.cpu());
    }

    private void trainOneProcess(Path out) {
        settings(DpoTrainer.builder().modelPath(modelDir).outputDir(out)).gradientAccumulationSteps(4).build().train();
    }

    @Test
    void twoProcessesOnGlooTrainToTheWeightsOfOne() throws Exception {
        ThreadRanks.assumeGloo();
        trainOneProcess(tmp.resolve("one"));
        int port = LoopbackRanks.freePort();
        List<Process> ranks = new ArrayList<>();
        for (int rank = 0; rank < 2; rank++) {
            ranks.add(start(rank, port, tmp.resolve("two"), 1));
        }
        for (int rank = 0; rank < 2; rank++) {
            assertThat(ranks.get(rank).waitFor(120, TimeUnit.SECONDS)).as("rank " + rank + " finished").isTrue();
            assertThat(ranks.get(rank).exitValue()).as("rank " + rank + "'s exit status; its log: "
                    + Files.readString(tmp.resolve("rank" + rank + ".log"))).isZero();
        }
        assertTrainedAlike(modelDir, tmp.resolve("one"), tmp.resolve("two"), 1e-4f);
        assertThat(Files.readAllLines(tmp.resolve("two/metrics.jsonl"))).as("rank 0's rows, one a step")
                .hasSameSizeAs(Files.readAllLines(tmp.resolve("one/metrics.jsonl"))).hasSize(3);
    }

    private Process start(int rank, int port, Path out, int zeroStage) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", TrainingRank.class.getName(),
                modelDir.toString(), out.toString(), String.valueOf(zeroStage));
        builder.environment().putAll(Map.of("RANK", String.valueOf(rank), "WORLD_SIZE", "2",
                "MASTER_ADDR", RankEnvironment.LOOPBACK, "MASTER_PORT", String.valueOf(port)));
        return builder.redirectErrorStream(true).redirectOutput(tmp.resolve("rank" + rank + ".log").toFile()).start();
    }

    @Test
    void twoThreadsOnGlooAtZeroStageTwoTrainToTheWeightsOfOne() throws Exception {
        ThreadRanks.assumeGloo();
        trainOneProcess(tmp.resolve("one"));
        List<RankEnvironment> environments = LoopbackRanks.of(2);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (RankEnvironment environment : environments) {
                runs.add(threads.submit(() -> {
                    try (Collectives ranks = new GlooProvider().connect(environment, Device.cpu(),
                            Duration.ofSeconds(60))) {
                        settings(DpoTrainer.builder().modelPath(modelDir).outputDir(tmp.resolve("two")))
                                .gradientAccumulationSteps(2).zeroStage(2).ranks(ranks).build().train();
                    }
                }));
            }
            for (Future<?> run : runs) {
                run.get(120, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        assertTrainedAlike(modelDir, tmp.resolve("one"), tmp.resolve("two"), 1e-4f);
    }
}
