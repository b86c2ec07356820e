package dev.dpo4j.examples;

import ai.djl.Device;
import dev.dpo4j.adapters.LoadOptions;
import dev.dpo4j.adapters.PreferenceDatasets;

import dev.dpo4j.adapters.TrainEvalSplit;
import dev.dpo4j.api.data.PreferenceExample;
import dev.dpo4j.api.template.PromptTemplate;
import dev.dpo4j.api.train.DpoMetrics;
import dev.dpo4j.api.train.TrainingListener;
import dev.dpo4j.api.train.TrainingSummary;
import dev.dpo4j.core.checkpoint.AtomicFolder;
import dev.dpo4j.core.train.DpoTrainer;
import dev.dpo4j.cli.embedded.EmbeddedDataset;
import dev.dpo4j.cli.embedded.EmbeddedDefaults;
import dev.dpo4j.cli.embedded.EmbeddedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Training from Java with {@link DpoTrainer#builder()}: the embedded tiny model, the embedded pairs split into train
 * and eval sets, ChatML, the sigmoid DPO loss, and a listener that prints each evaluation.
 *
 * <p>Run: {@code ProgrammaticTraining [output-dir [max-steps]]} (default {@code dpo-output-programmatic}, all
 * epochs).
 */
public final class ProgrammaticTraining {

    private ProgrammaticTraining() {
    }

    /** Trains the embedded model into {@code outputDir}; {@code maxSteps <= 0} runs all epochs. */
    public static TrainingSummary run(Path outputDir, long maxSteps, boolean progressBar) throws IOException {
        Path work = Files.createTempDirectory("dpo4j-example");
        try {
            // A Hugging Face model folder: config.json, model.safetensors, tokenizer.json, tokenizer_config.json.
            // For a real model, point modelPath at its downloaded folder instead.
            Path model = EmbeddedModel.write(work.resolve("model"), EmbeddedModel.DEFAULT_SEED);
            TrainEvalSplit data = EmbeddedDataset.split(work.resolve("data"), EmbeddedDefaults.EVAL_FRACTION, 42);

            DpoTrainer trainer = DpoTrainer.builder()
                    .modelPath(model)
                    .trainData(data.train())
                    .evalData(data.eval())
                    .template(PromptTemplate.chatMl())
                    .outputDir(outputDir)
                    .overwriteOutputDir(true)
                    .learningRate(EmbeddedDefaults.LEARNING_RATE)
                    .beta(EmbeddedDefaults.BETA)
                    .numTrainEpochs(EmbeddedDefaults.EPOCHS)
                    .maxSteps(maxSteps)
                    .warmupSteps(Math.min(EmbeddedDefaults.WARMUP_STEPS, maxSteps > 0 ? maxSteps / 2 : Long.MAX_VALUE))
                    .perDeviceTrainBatchSize(EmbeddedDefaults.BATCH_SIZE)
                    .loggingSteps(EmbeddedDefaults.LOGGING_STEPS)
                    .evalSteps(EmbeddedDefaults.EVAL_STEPS)
                    .progressBar(progressBar)
                    .listener(new TrainingListener() {
                        @Override
                        public void onEvaluation(DpoMetrics m) {
                            System.out.printf(Locale.ROOT, "step %d: eval loss %.4f, reward accuracy %.3f, "
                                    + "margin %.3f%n", m.step(), m.loss(), m.rewardsAccuracy(), m.rewardsMargin());
                        }
                    })
                    .build();
            return trainer.train();
        } finally {
            AtomicFolder.deleteRecursively(work);
        }
    }

    /**
     * The README's example: a Hugging Face model folder trained on an {@code Intel/orca_dpo_pairs} download with the
     * Zephyr recipe's global batch of 32 on one device.
     */
    public static TrainingSummary trainOrca(Path modelFolder, Path dataFolder, Path outputDir) {
        TrainingSummary summary = DpoTrainer.builder()
                .modelPath(modelFolder) // config.json, model.safetensors, tokenizer.json
                .trainData(PreferenceDatasets.load("orca_dpo_pairs", dataFolder, LoadOptions.defaults()))
                .outputDir(outputDir)
                .beta(0.1)
                .learningRate(5e-7)
                .perDeviceTrainBatchSize(1)
                .gradientAccumulationSteps(32)
                .maxLength(2048)
                .build()
                .train();
        return summary;
    }

    /**
     * The README's several-GPU example: data-parallel on two GPUs, 2 pairs per GPU per micro-batch and 8 micro-batches
     * per step, so each optimizer step sees the Zephyr recipe's 32 pairs.
     */
    public static TrainingSummary trainOnTwoGpus(Path model, Iterable<PreferenceExample> pairs, Path out) {
        TrainingSummary summary = DpoTrainer.builder().modelPath(model).trainData(pairs).outputDir(out)
                .devices(Device.gpu(0), Device.gpu(1))                     // default: every GPU PyTorch sees
                .perDeviceTrainBatchSize(2).gradientAccumulationSteps(8)   // global batch 2 x 8 x 2 = 32 (Zephyr)
                .bf16(true).build().train();                              // checkpointing: auto
        return summary;
    }

    /** Trains and prints the summary. */
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "dpo-output-programmatic");
        long maxSteps = args.length > 1 ? Long.parseLong(args[1]) : -1;
        TrainingSummary summary = run(out, maxSteps, true);
        DpoMetrics eval = summary.lastEval();
        System.out.printf(Locale.ROOT, "trained %d steps in %.1f s; eval reward accuracy %.3f, margin %.3f; "
                + "model in %s%n", summary.steps(), summary.seconds(), eval.rewardsAccuracy(), eval.rewardsMargin(),
                summary.outputDir().toAbsolutePath());
    }
}
