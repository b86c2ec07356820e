package dev.dpo4j.core.train;

import static dev.dpo4j.testing.TrainedWeights.assertTrained;
import static dev.dpo4j.testing.TrainedWeights.assertTrainedAlike;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.api.train.DpoMetrics;
import dev.dpo4j.api.train.TrainingListener;
import dev.dpo4j.api.train.TrainingPlan;
import dev.dpo4j.api.train.TrainingSummary;
import dev.dpo4j.core.data.BatchOrder;
import dev.dpo4j.testing.RandomInit;
import dev.dpo4j.testing.TinyModels;
import dev.dpo4j.testing.TrainedWeights;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DpoTrainerTest extends TinyModelTraining {

    private DpoTrainer.Builder base(Path out) {
        return trainer(out).learningRate(2e-3).perDeviceTrainBatchSize(4).loggingSteps(4).seed(11);
    }

    @Test
    void learnsThePreferenceWithFallingLoss() {
        List<DpoMetrics> logs = new ArrayList<>();
        TrainingSummary summary = base(tmp.resolve("out")).evalData(TinyModels.arithmetic(16)).numTrainEpochs(8)
                .learningRate(1e-2).beta(0.5)
                .listener(new TrainingListener() {
                    @Override
                    public void onLog(DpoMetrics metrics) {
                        logs.add(metrics);
                    }
                }).build().train();

        assertThat(summary.steps()).isEqualTo(32);
        assertThat(logs).hasSize(8);
        assertThat(logs.get(logs.size() - 1).loss()).isLessThan(logs.get(0).loss() * 0.5);
        assertThat(summary.lastEval().rewardsAccuracy()).isGreaterThanOrEqualTo(0.9);
        assertThat(summary.lastEval().rewardsMargin()).isGreaterThan(0.5);
        assertThat(tmp.resolve("out/model.safetensors")).exists();
        assertThat(tmp.resolve("out/config.json")).exists();
        assertThat(tmp.resolve("out/tokenizer.json")).exists();
        assertThat(tmp.resolve("out/metrics.jsonl")).content().contains("\"rewards/accuracies\"")
                .contains("\"eval_rewards/margins\"");
    }

    @Test
    void accumulationGivesTheSameUpdateAsOneBigBatch() throws IOException {
        base(tmp.resolve("big")).maxSteps(3).build().train();
        base(tmp.resolve("small")).perDeviceTrainBatchSize(1).gradientAccumulationSteps(4).maxSteps(3).build()
                .train();
        // key biases get no true gradient (softmax ignores a per-query shift), so Adam amplifies rounding there, and
        // CPU kernels round differently from machine to machine (seen: 6.5e-5 on an AMD EPYC)
        assertTrainedAlike(modelDir, tmp.resolve("big"), tmp.resolve("small"), 2e-4f);
    }

    @Test
    void resumingGivesTheSameResultAsAnUninterruptedRun() throws IOException {
        base(tmp.resolve("whole")).maxSteps(6).saveStrategy(SaveStrategy.STEPS).saveSteps(3).build().train();
        assertThat(tmp.resolve("whole/checkpoint-3/optimizer.safetensors")).exists();
        assertThat(tmp.resolve("whole/checkpoint-6/trainer_state.json")).exists();

        base(tmp.resolve("resumed")).maxSteps(6).resumeFromCheckpoint(tmp.resolve("whole/checkpoint-3")).build()
                .train();
        assertTrainedAlike(modelDir, tmp.resolve("whole"), tmp.resolve("resumed"), 1e-6f);
    }

    @Test
    void float16TrainingTracksFloat32() throws IOException {
        List<TrainingPlan> plans = new ArrayList<>();
        List<DataType> masterTypes = new ArrayList<>();
        TrainingSummary half;
        float[] before;
        float[] after;
        try (NDManager manager = NDManager.newBaseManager();
                dev.dpo4j.core.model.CausalLm policy = dev.dpo4j.core.checkpoint.ModelFolder.load(modelDir, manager)) {
            // the policy is handed over through model(...), trained in place, so its parameters are the masters
            String name = "model.layers.0.mlp.up_proj.weight";
            before = policy.parameters().get(name).toFloatArray();
            half = base(tmp.resolve("half")).modelPath(null)
                    .model(policy, dev.dpo4j.core.tokenizer.HfTokenizer.load(modelDir), modelDir).fp16(true)
                    .maxSteps(3).loggingSteps(1).listener(new TrainingListener() {
                        @Override
                        public void onTrainingStart(TrainingPlan plan) {
                            plans.add(plan);
                        }

                        @Override
                        public void onStep(long step, long totalSteps) {
                            policy.parameters().values().forEach(p -> masterTypes.add(p.getDataType()));
                        }
                    }).build().train();
            policy.parameters().values().forEach(p -> masterTypes.add(p.getDataType()));
            after = policy.parameters().get(name).toFloatArray();
        }
        TrainingSummary full = base(tmp.resolve("full")).maxSteps(3).loggingSteps(1).build().train();
        assertThat(plans.get(0).precision()).startsWith("float16");
        assertThat(half.lastTrain().loss()).isCloseTo(full.lastTrain().loss(), org.assertj.core.api.Assertions
                .within(5e-3));
        assertThat(half.lastTrain().logpsChosen()).isCloseTo(full.lastTrain().logpsChosen(),
                within(0.05));
        // the master weights stay float32 at every step and after training, while training moved them
        assertThat(masterTypes).isNotEmpty().containsOnly(DataType.FLOAT32);
        assertThat(after).isNotEqualTo(before);
        assertThat(Files.readString(tmp.resolve("half/config.json"))).contains("\"torch_dtype\": \"float32\"");
    }

    @Test
    void theModelIsSavedInTheStartingDtypeWhileCheckpointsStayFloat32() throws IOException {
        Path bf16 = TinyModels.writeModel(tmp.resolve("bf16-model"), "qwen2", 3);
        Path config = bf16.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"float32\"", "\"bfloat16\""));
        DpoTrainer.builder().modelPath(bf16).trainData(TinyModels.arithmetic(8)).outputDir(tmp.resolve("out"))
                .perDeviceTrainBatchSize(4).maxSteps(2).saveStrategy(SaveStrategy.STEPS).saveSteps(1)
                .progressBar(false).build().train();
        assertThat(Files.readString(tmp.resolve("out/config.json"))).contains("\"torch_dtype\": \"bfloat16\"");
        assertThat(Files.readString(tmp.resolve("out/model.safetensors"), StandardCharsets.ISO_8859_1))
                .contains("\"BF16\"").doesNotContain("\"F32\"");
        assertThat(Files.readString(tmp.resolve("out/checkpoint-1/model.safetensors"),
                StandardCharsets.ISO_8859_1)).contains("\"F32\"").doesNotContain("\"BF16\"");
    }

    @Test
    void rpoAddsTheChosenNegativeLogLikelihood() {
        TrainingSummary plain = base(tmp.resolve("plain")).maxSteps(1).loggingSteps(1).build().train();
        TrainingSummary rpo = base(tmp.resolve("rpo")).maxSteps(1).loggingSteps(1).rpoAlpha(1.0).build().train();
        // the random tiny model spreads each token over 259 ids: about ln 259 = 5.6 nats per chosen token
        assertThat(rpo.lastTrain().loss() - plain.lastTrain().loss()).isBetween(4.0, 7.0);
        assertThat(rpo.lastTrain().rewardsMargin()).isEqualTo(plain.lastTrain().rewardsMargin());
    }

    @Test
    void aReferenceSyncedFullyToThePolicyEveryStepKeepsTheLossAtLn2() {
        List<DpoMetrics> synced = new ArrayList<>();
        List<DpoMetrics> fixed = new ArrayList<>();
        base(tmp.resolve("synced")).maxSteps(4).loggingSteps(1).syncRefModel(true).refModelMixupAlpha(1.0)
                .refModelSyncSteps(1).listener(logs(synced)).build().train();
        // with two devices, the second device's own reference copy follows too
        base(tmp.resolve("synced2")).maxSteps(2).loggingSteps(1).perDeviceTrainBatchSize(2)
                .devices(ai.djl.Device.cpu(), ai.djl.Device.cpu()).syncRefModel(true).refModelMixupAlpha(1.0)
                .refModelSyncSteps(1).listener(logs(synced)).build().train();
        base(tmp.resolve("fixed")).maxSteps(4).loggingSteps(1).listener(logs(fixed)).build().train();
        // each step starts with reference = policy, so the margin is 0 and the loss log 2
        assertThat(synced).extracting(DpoMetrics::loss).allSatisfy(l -> assertThat(l).isCloseTo(Math.log(2),
                within(1e-6)));
        // with the starting reference, later steps see a margin
        assertThat(fixed.subList(1, 4)).extracting(DpoMetrics::loss)
                .allSatisfy(l -> assertThat(Math.abs(l - Math.log(2))).isGreaterThan(1e-3));
    }

    @Test
    void resumingWithASyncedReferenceRestoresTheReference() throws IOException {
        base(tmp.resolve("whole")).maxSteps(6).syncRefModel(true).refModelMixupAlpha(0.5).refModelSyncSteps(2)
                .saveStrategy(SaveStrategy.STEPS).saveSteps(3).build().train();
        assertThat(tmp.resolve("whole/checkpoint-3/reference.safetensors")).exists();
        base(tmp.resolve("resumed")).maxSteps(6).syncRefModel(true).refModelMixupAlpha(0.5).refModelSyncSteps(2)
                .resumeFromCheckpoint(tmp.resolve("whole/checkpoint-3")).build().train();
        assertTrainedAlike(modelDir, tmp.resolve("whole"), tmp.resolve("resumed"), 1e-6f);

        base(tmp.resolve("plain")).maxSteps(3).saveStrategy(SaveStrategy.STEPS).saveSteps(3).build().train();
        assertThatThrownBy(() -> base(tmp.resolve("again")).maxSteps(6).syncRefModel(true)
                .resumeFromCheckpoint(tmp.resolve("plain/checkpoint-3")).build().train())
                .hasMessageContaining("reference.safetensors: missing; the checkpoint was written without "
                        + "sync_ref_model");
        assertThatThrownBy(() -> base(tmp.resolve("x")).syncRefModel(true).precomputeRefLogProbs(true).build())
                .hasMessageContaining("sync_ref_model moves the reference model, so it cannot be used with "
                        + "precompute_ref_log_probs");
    }

    private static TrainingListener logs(List<DpoMetrics> into) {
        return new TrainingListener() {
            @Override
            public void onLog(DpoMetrics metrics) {
                into.add(metrics);
            }
        };
    }

    @Test
    void aSeparateReferenceModelIsScoredInsteadOfTheStartingPolicy() {
        List<DpoMetrics> own = new ArrayList<>();
        List<DpoMetrics> other = new ArrayList<>();
        base(tmp.resolve("own")).maxSteps(1).loggingSteps(1).listener(logs(own)).build().train();
        Path otherModel = TinyModels.writeModel(tmp.resolve("other-model"), "qwen2", 99);
        base(tmp.resolve("other")).maxSteps(1).loggingSteps(1).referenceModelNameOrPath(otherModel.toString())
                .listener(logs(other)).build().train();
        // against itself the first step's margin is 0 and the loss log 2; against another model it is not
        assertThat(own.get(0).loss()).isCloseTo(Math.log(2), within(1e-6));
        assertThat(Math.abs(other.get(0).loss() - Math.log(2))).isGreaterThan(1e-3);

        var json = TinyModels.json("qwen2", 50, true);
        Path small = tmp.resolve("small-vocab");
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager();
                dev.dpo4j.core.model.CausalLm model = RandomInit.create(
                        dev.dpo4j.core.model.ModelConfig.fromJson(json, "c"), m, 1, 0.02)) {
            dev.dpo4j.core.checkpoint.ModelFolder.save(model, small, null);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThatThrownBy(() -> base(tmp.resolve("bad")).maxSteps(1).referenceModelNameOrPath(small.toString())
                .build().train()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reference model " + small + " has vocab_size 50 but the policy has 259; the two must "
                        + "share a tokenizer");
    }

    @Test
    void lengthGroupingKeepsEveryPairOnceAndBatchesSimilarLengths() {
        int[] lengths = {5, 50, 6, 49, 7, 48, 8, 47};
        List<int[]> batches = BatchOrder.of(8, 2, 1, 0, true, lengths);
        assertThat(batches.stream().flatMapToInt(java.util.Arrays::stream).sorted().toArray())
                .containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        for (int[] batch : batches) {
            assertThat(Math.abs(lengths[batch[0]] - lengths[batch[1]])).isLessThanOrEqualTo(2);
        }
        assertThat(BatchOrder.of(8, 2, 1, 0, true, lengths)).usingRecursiveComparison().isEqualTo(batches);
    }

    @Test
    void sameSeedIsReproducible() throws IOException {
        base(tmp.resolve("a")).maxSteps(2).build().train();
        base(tmp.resolve("b")).maxSteps(2).build().train();
        assertTrainedAlike(modelDir, tmp.resolve("a"), tmp.resolve("b"), 0f);
    }

    @Test
    void cancelStopsAtAStepBoundaryAndSaves() {
        DpoTrainer[] trainer = new DpoTrainer[1];
        List<Thread> cancellers = new ArrayList<>();
        trainer[0] = base(tmp.resolve("out")).numTrainEpochs(5).listener(new TrainingListener() {
            @Override
            public void onStep(long step, long totalSteps) {
                if (step == 2) {
                    // cancel from another thread, started and joined here so the request lands before step 3
                    Thread canceller = new Thread(trainer[0]::cancel, "canceller");
                    canceller.start();
                    try {
                        canceller.join();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new AssertionError(e);
                    }
                    cancellers.add(canceller);
                }
            }
        }).build();
        TrainingSummary summary = trainer[0].train();
        assertThat(cancellers).singleElement().isNotSameAs(Thread.currentThread())
                .satisfies(t -> assertThat(t.isAlive()).isFalse());
        assertThat(summary.cancelled()).isTrue();
        assertThat(summary.steps()).isEqualTo(2);
        assertThat(tmp.resolve("out/checkpoint-2/model.safetensors")).exists();
        assertThat(tmp.resolve("out/model.safetensors")).exists();
    }

    @Test
    void checkpointingGivesTheSameTrainingAsThePlainPass() throws IOException {
        base(tmp.resolve("plain")).maxSteps(3).build().train();
        base(tmp.resolve("checkpointed")).maxSteps(3).gradientCheckpointing(true).build().train();
        assertTrainedAlike(modelDir, tmp.resolve("plain"), tmp.resolve("checkpointed"), 1e-5f);
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"false,false,1", "true,false,1", "false,true,1", "true,true,1",
        "false,false,2", "true,true,2"})
    void liveArrayCountDoesNotGrowAcrossSteps(boolean fp16, boolean checkpointing, int devices) {
        List<Integer> counts = new ArrayList<>();
        try (NDManager root = NDManager.newBaseManager()) {
            base(tmp.resolve("out")).manager(root).numTrainEpochs(3).fp16(fp16).gradientCheckpointing(checkpointing)
                    .devices(java.util.Collections.nCopies(devices, ai.djl.Device.cpu()))
                    .evalData(TinyModels.arithmetic(4)).evalSteps(2).listener(new TrainingListener() {
                @Override
                public void onStep(long step, long totalSteps) {
                    counts.add(root.getManagedArrays().size());

                }
            }).build().train();
        }
        assertThat(counts).hasSize(12 / devices);
        assertThat(counts.get(counts.size() - 1)).isEqualTo(counts.get(2));
    }

    @ParameterizedTest(name = "fp16={0}")
    @ValueSource(booleans = {false, true})
    void theTorchScriptKernelsTrainAsTheDjlKernels(boolean fp16) throws IOException {
        TrainingSummary plain = base(tmp.resolve("djl")).maxSteps(3).loggingSteps(1).fp16(fp16).kernels("djl").build().train();
        TrainingSummary fused = base(tmp.resolve("ts")).maxSteps(3).loggingSteps(1).fp16(fp16).kernels("torchscript").build()
                .train();
        assertThat(fused.lastTrain().loss()).isCloseTo(plain.lastTrain().loss(), within(fp16 ? 1e-3 : 1e-6));
        assertThat(fused.lastTrain().logpsChosen()).isCloseTo(plain.lastTrain().logpsChosen(),
                within(fp16 ? 5e-2 : 1e-4));
        assertThat(fused.lastTrain().gradNorm()).isCloseTo(plain.lastTrain().gradNorm(), within(fp16 ? 1e-3 : 1e-6));
        // Adam moves every weight by about lr (7e-3 of the largest weight here) per step, also where the gradient is
        // rounding noise (the key bias, to which softmax is blind), and two kernels round differently: one step's
        // difference is visible, a flipped noise element stays below 1e-3
        if (!fp16) {
            assertTrainedAlike(modelDir, tmp.resolve("djl"), tmp.resolve("ts"), 1e-3f);
        }
    }

    @Test
    void bfloat16TrainsCloseToFloat32() {
        List<TrainingPlan> plans = new ArrayList<>();
        TrainingSummary full = base(tmp.resolve("f32")).maxSteps(3).loggingSteps(1).build().train();
        TrainingSummary half = base(tmp.resolve("bf16")).maxSteps(3).loggingSteps(1).bf16(true).listener(new TrainingListener() {
            @Override
            public void onTrainingStart(TrainingPlan plan) {
                plans.add(plan);
            }
        }).build().train();
        assertThat(plans.get(0).precision()).isEqualTo("bfloat16 (float32 master weights), torchscript kernels");
        assertThat(plans.get(0).memory()).startsWith("estimated host memory per device: ").contains(" weights, ")
                .contains(" reference, ").endsWith(" MiB").doesNotContain("CUDA");
        assertThat(half.lastTrain().rewardsMargin()).isNotZero();
        // bfloat16 keeps 8 significant bits
        assertThat(half.lastTrain().loss()).isCloseTo(full.lastTrain().loss(), within(2e-2));
        assertThat(half.lastTrain().rewardsMargin()).isCloseTo(full.lastTrain().rewardsMargin(),
                within(0.1 * Math.abs(full.lastTrain().rewardsMargin()) + 1e-3));
        assertTrained(modelDir, tmp.resolve("f32"));
        assertTrained(modelDir, tmp.resolve("bf16"));
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"false,false", "true,true"})
    void aSharedPromptTrainsAsSeparateRowsDo(boolean checkpointing, boolean precompute) throws IOException {
        List<List<DpoMetrics>> runs = new ArrayList<>();
        for (boolean share : new boolean[] {true, false}) {
            List<DpoMetrics> logs = new ArrayList<>();
            runs.add(logs);
            base(tmp.resolve("share-" + share)).sharePrompt(share).maxSteps(4).loggingSteps(1).evalSteps(2)
                    .evalData(TinyModels.arithmetic(6)).perDeviceEvalBatchSize(4).gradientCheckpointing(checkpointing)
                    .precomputeRefLogProbs(precompute).listener(new TrainingListener() {
                        @Override
                        public void onLog(DpoMetrics metrics) {
                            logs.add(metrics);
                        }

                        @Override
                        public void onEvaluation(DpoMetrics metrics) {
                            logs.add(metrics);
                        }
                    }).build().train();
        }
        List<DpoMetrics> shared = runs.get(0);
        List<DpoMetrics> separate = runs.get(1);
        assertThat(shared).hasSize(6).hasSameSizeAs(separate);
        for (int i = 0; i < shared.size(); i++) {
            DpoMetrics a = shared.get(i);
            DpoMetrics b = separate.get(i);
            assertThat(a.loss()).as("loss %d", i).isCloseTo(b.loss(), within(1e-4));
            assertThat(a.logpsChosen()).isCloseTo(b.logpsChosen(),
                    within(1e-4 * Math.abs(b.logpsChosen())));
            assertThat(a.logpsRejected()).isCloseTo(b.logpsRejected(),
                    within(1e-4 * Math.abs(b.logpsRejected())));
        }
        // the loss moved, so the steps did train
        assertThat(Math.abs(shared.get(4).loss() - shared.get(0).loss())).isGreaterThan(1e-3);
        assertTrainedAlike(modelDir, tmp.resolve("share-true"), tmp.resolve("share-false"), 2e-4f);
    }

    @Test
    void precomputedReferenceMatchesTheLiveReference() throws IOException {
        base(tmp.resolve("live")).maxSteps(3).build().train();
        base(tmp.resolve("pre")).maxSteps(3).precomputeRefLogProbs(true).build().train();
        assertTrainedAlike(modelDir, tmp.resolve("live"), tmp.resolve("pre"), 1e-4f);
    }

    @Test
    void reportsDroppedPairsAndRefusesAnEmptyDataset() {
        List<TrainingPlan> plans = new ArrayList<>();
        base(tmp.resolve("some")).maxLength(40).maxSteps(1).listener(new TrainingListener() {
            @Override
            public void onTrainingStart(TrainingPlan plan) {
                plans.add(plan);
            }
        }).build().train();
        assertThat(plans.get(0).droppedExamples()).isPositive();
        assertThat(plans.get(0).trainExamples() + plans.get(0).droppedExamples()).isEqualTo(16);

        assertThatThrownBy(() -> base(tmp.resolve("none")).maxLength(10).build().train())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max_length=10")
                .hasMessageContaining("16 were dropped");
    }

    @Test
    void refusesANonEmptyOutputDirUnlessAsked() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.writeString(out.resolve("precious.txt"), "keep me");
        assertThatThrownBy(() -> base(out).maxSteps(1).build().train())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("output_dir")
                .hasMessageContaining("overwrite_output_dir");
        base(out).maxSteps(1).overwriteOutputDir(true).build().train();
        assertThat(out.resolve("precious.txt")).hasContent("keep me");
        assertThat(out.resolve("model.safetensors")).exists();
    }

    @Test
    void builderNamesBadOptions() {
        assertThatThrownBy(() -> base(tmp).perDeviceTrainBatchSize(0).gradientAccumulationSteps(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("per_device_train_batch_size must be at least 1, got 0")
                .hasMessageContaining("gradient_accumulation_steps must be at least 1, got 0");
        assertThatThrownBy(() -> base(null).build()).hasMessageContaining("output_dir is required");
        assertThatThrownBy(() -> base(tmp).lossType("kto").build()).hasMessageContaining("unknown loss_type 'kto'");
        assertThatThrownBy(() -> base(tmp).beta(0).build()).hasMessageContaining("beta must be positive");
    }
}
