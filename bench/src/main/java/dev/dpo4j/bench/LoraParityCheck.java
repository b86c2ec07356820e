package dev.dpo4j.bench;

import static dev.dpo4j.bench.ParityCheck.ints;
import static dev.dpo4j.bench.ParityCheck.put;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.dpo4j.api.data.PreferenceExample;
import dev.dpo4j.api.train.DpoMetrics;
import dev.dpo4j.api.train.TrainingListener;
import dev.dpo4j.core.checkpoint.ModelFolder;
import dev.dpo4j.core.data.PairBatch;
import dev.dpo4j.core.data.PairCollator;
import dev.dpo4j.core.data.TokenizedPair;
import dev.dpo4j.core.kernels.Kernels;
import dev.dpo4j.core.lora.LoraAdapters;
import dev.dpo4j.core.loss.Losses;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.optim.LearningRateSchedule;
import dev.dpo4j.core.scoring.CompletionScorer;
import dev.dpo4j.core.train.DpoTrainer;
import dev.dpo4j.core.train.SaveStrategy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The dpo4j half of the LoRA parity check against transformers + peft (issue #12, see bench/README.md).
 *
 * <p>For each case {@code <model>_lora_hf.json <out.json>} that {@code parity/lora_reference.py make} wrote, it loads
 * the base checkpoint with {@code ModelFolder} and the PEFT adapter with {@link LoraAdapters}, scores the pairs in
 * float32 with the adapter and without it, then trains one step through the real {@link DpoTrainer} with the adapter
 * folder as model path (continue training that adapter; the reference is the adapter as loaded), all pairs in one
 * micro-batch, the optimizer options of the reference file; it records the trainer's step-1 metrics, loads the adapter
 * the trainer saved and scores the pairs with it. Numbers go to {@code out.json}, the trainer's output to the folder
 * {@code out.json} without {@code .json} plus {@code _out}.
 */
public final class LoraParityCheck {

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
            .create();

    private LoraParityCheck() {
    }

    /** Runs every {@code <lora_hf.json> <out.json>} pair given. */
    public static void main(String[] args) throws IOException {
        if (args.length == 0 || args.length % 2 != 0) {
            System.err.println("usage: LoraParityCheck <model_lora_hf.json> <out.json> [<model_lora_hf.json> <out.json>"
                    + " ...]");
            System.exit(2);
        }
        boolean failed = false;
        for (int i = 0; i < args.length; i += 2) {
            failed |= !run(Path.of(args[i]), Path.of(args[i + 1]));
        }
        System.exit(failed ? 1 : 0);
    }

    /** One case; false when something threw (the error is in {@code out.json}, with what was computed before it). */
    static boolean run(Path referenceFile, Path outFile) throws IOException {
        JsonObject inputs = GSON.fromJson(Files.readString(referenceFile), JsonObject.class).getAsJsonObject("inputs");
        List<TokenizedPair> pairs = new ArrayList<>();
        for (JsonElement element : inputs.getAsJsonArray("pairs")) {
            JsonObject pair = element.getAsJsonObject();
            pairs.add(new TokenizedPair(ints(pair.getAsJsonArray("prompt")), ints(pair.getAsJsonArray("chosen")),
                    ints(pair.getAsJsonArray("rejected"))));
        }
        Path baseDir = Path.of(inputs.get("base_dir").getAsString());
        Path adapterDir = Path.of(inputs.get("adapter_dir").getAsString());
        Path trainOut = outFile.resolveSibling(outFile.getFileName().toString().replaceFirst("\\.json$", "") + "_out");
        int n = pairs.size();
        double beta = inputs.get("beta").getAsDouble();
        boolean share = Boolean.getBoolean("dpo4j.share_prompt");
        String kernels = System.getProperty("dpo4j.kernels", "djl");

        JsonObject out = new JsonObject();
        out.addProperty("base_dir", baseDir.toString());
        out.addProperty("adapter_dir", adapterDir.toString());
        out.addProperty("kernels", kernels);
        out.addProperty("share_prompt", share);
        long start = System.nanoTime();
        boolean ok = true;
        try (NDManager root = NDManager.newBaseManager()) {
            out.addProperty("device", root.getDevice().toString());
            out.addProperty("engine", Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
            CausalLm base = ModelFolder.load(baseDir, root).withKernels(Kernels.named(kernels));
            try (NDManager scope = root.newSubManager()) {
                PairBatch.Arrays arrays = new PairCollator(inputs.get("pad_id").getAsInt(), 1, share).collate(pairs)
                        .toArrays(scope);
                NDArray logps;
                try (LoraAdapters adapters = LoraAdapters.load(adapterDir, base.config(), scope)) {
                    logps = score(base, arrays, adapters);
                }
                put(out, "logps", logps.toFloatArray(), n);
                put(out, "logps_base", CompletionScorer.score(base, arrays, base.weights(), DataType.FLOAT32)
                        .logps().toFloatArray(), n);

                out.add("trainer", trainOneStep(inputs, adapterDir, trainOut, root, kernels, share));
                out.addProperty("adapter_out", trainOut.toString());

                NDArray after;
                try (LoraAdapters stepped = LoraAdapters.load(trainOut, base.config(), scope)) {
                    after = score(base, arrays, stepped);
                }
                put(out, "logps_after", after.toFloatArray(), n);
                out.addProperty("loss_after", Losses.sigmoid(beta)
                        .compute(ParityCheck.split(after, logps, arrays, n)).losses().mean().getFloat());
            }
            base.close();
        } catch (RuntimeException e) {
            ok = false;
            out.addProperty("error", e.toString());
            e.printStackTrace();
        }
        out.addProperty("seconds", (System.nanoTime() - start) / 1e9);
        Files.writeString(outFile, GSON.toJson(out) + "\n");
        System.out.printf("LoraParityCheck %s: %s, wrote %s%n", adapterDir, ok ? "trainer loss "
                + out.getAsJsonObject("trainer").get("loss") + ", grad norm "
                + out.getAsJsonObject("trainer").get("grad_norm") : "FAILED " + out.get("error"), outFile);
        return ok;
    }

    /**
     * One step of the real trainer, continuing the adapter in {@code adapterDir}: all pairs in one micro-batch, the
     * reference file's optimizer options, constant learning rate; the trainer's step-1 metrics.
     */
    private static JsonObject trainOneStep(JsonObject inputs, Path adapterDir, Path output, NDManager root,
            String kernels, boolean share) {
        List<PreferenceExample> examples = new ArrayList<>();
        for (JsonElement element : inputs.getAsJsonArray("pairs")) {
            JsonObject pair = element.getAsJsonObject();
            examples.add(PreferenceExample.of(text(pair.getAsJsonArray("prompt")), text(pair.getAsJsonArray("chosen")),
                    text(pair.getAsJsonArray("rejected"))));
        }
        List<String> targets = new ArrayList<>();
        inputs.getAsJsonArray("lora_target_modules").forEach(t -> targets.add(t.getAsString()));
        DpoMetrics[] first = new DpoMetrics[1];
        TrainingListener capture = new TrainingListener() {
            @Override
            public void onLog(DpoMetrics metrics) {
                if (first[0] == null) {
                    first[0] = metrics;
                }
            }
        };
        long start = System.nanoTime();
        DpoTrainer.builder()
                .modelPath(adapterDir)
                .usePeft(true)
                .loraR(inputs.get("lora_r").getAsInt())
                .loraAlpha(inputs.get("lora_alpha").getAsInt())
                .loraDropout(0.0)
                .loraTargetModules(targets)
                .template(new SyntheticPairs.RawTemplate())
                .trainData(examples)
                .outputDir(output)
                .overwriteOutputDir(true)
                .device(root.getDevice())
                .fp16(false)
                .bf16(false)
                .kernels(kernels)
                .sharePrompt(share)
                .gradientCheckpointing(false)
                .beta(inputs.get("beta").getAsDouble())
                .learningRate(inputs.get("lr").getAsDouble())
                .lrSchedulerType(LearningRateSchedule.Type.CONSTANT)
                .warmupSteps(0)
                .adamBeta1(inputs.getAsJsonArray("betas").get(0).getAsDouble())
                .adamBeta2(inputs.getAsJsonArray("betas").get(1).getAsDouble())
                .adamEpsilon(inputs.get("eps").getAsDouble())
                .weightDecay(inputs.get("weight_decay").getAsDouble())
                .maxGradNorm(inputs.get("max_grad_norm").getAsDouble())
                .perDeviceTrainBatchSize(examples.size())
                .gradientAccumulationSteps(1)
                .padToMultipleOf(1)
                .maxLength(0)
                .maxSteps(1)
                .loggingSteps(1)
                .saveStrategy(SaveStrategy.NO)
                .reportTo(List.of("none"))
                .seed(0)
                .progressBar(false)
                .listener(capture)
                .build()
                .train();
        JsonObject trainer = new JsonObject();
        trainer.addProperty("seconds", (System.nanoTime() - start) / 1e9);
        DpoMetrics m = first[0];
        if (m == null) {
            throw new IllegalStateException("the trainer logged no metrics");
        }
        trainer.addProperty("step", m.step());
        trainer.addProperty("loss", m.loss());
        trainer.addProperty("grad_norm", m.gradNorm());
        trainer.addProperty("logps_chosen", m.logpsChosen());
        trainer.addProperty("logps_rejected", m.logpsRejected());
        trainer.addProperty("rewards_chosen", m.rewardsChosen());
        trainer.addProperty("rewards_rejected", m.rewardsRejected());
        trainer.addProperty("learning_rate", m.learningRate());
        try (var files = Files.list(output)) {
            trainer.addProperty("files", files.map(p -> p.getFileName().toString()).sorted()
                    .collect(Collectors.joining(", ")));
        } catch (IOException e) {
            trainer.addProperty("files", e.toString());
        }
        return trainer;
    }

    /** Float32 per-sequence completion log-probs of the base with {@code adapters}, in the scores' manager. */
    private static NDArray score(CausalLm base, PairBatch.Arrays arrays, LoraAdapters adapters) {
        NDArray logps = CompletionScorer.score(base, arrays, adapters.over(base.weights()), DataType.FLOAT32).logps();
        logps.attach(arrays.completionLengths().getManager());
        return logps;
    }

    /** Token ids as the text the word-level tokenizer of lora_reference.py reads back: ids separated by spaces. */
    private static String text(JsonArray ids) {
        return Arrays.stream(ints(ids)).mapToObj(Integer::toString).collect(Collectors.joining(" "));
    }
}
