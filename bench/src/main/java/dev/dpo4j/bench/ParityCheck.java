package dev.dpo4j.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.dpo4j.api.loss.LossFunction;
import dev.dpo4j.api.loss.PreferenceLogps;
import dev.dpo4j.core.checkpoint.ModelFolder;
import dev.dpo4j.core.data.PairBatch;
import dev.dpo4j.core.data.PairCollator;
import dev.dpo4j.core.data.TokenizedPair;
import dev.dpo4j.core.kernels.Kernels;
import dev.dpo4j.core.loss.Losses;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.Weights;
import dev.dpo4j.core.optim.AdamW;
import dev.dpo4j.core.scoring.CompletionScorer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The dpo4j half of the parity check against Hugging Face transformers (see bench/README.md).
 *
 * <p>For each case {@code <modelDir> <reference.json> <out.json>} it loads the checkpoint that
 * {@code parity/make_reference.py} wrote, reads the token ids and hyper-parameters from the reference file's
 * {@code inputs}, and computes with dpo-core's public classes, on DJL's default device (the GPU where there is one):
 * per-sequence completion log-probs of the starting model (float32, and float16 as a yardstick), the DPO sigmoid
 * loss against a frozen copy of the starting model, the gradient norms, one AdamW step after global-norm clipping,
 * and the log-probs and loss after the step. It writes those numbers to {@code out.json} and the post-step weights
 * as a model folder next to it ({@code out.json} without {@code .json}, plus {@code _step1}).
 */
public final class ParityCheck {

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
            .create();

    private ParityCheck() {
    }

    /** Runs every {@code <modelDir> <reference.json> <out.json>} triple given. */
    public static void main(String[] args) throws IOException {
        if (args.length == 0 || args.length % 3 != 0) {
            System.err.println("usage: ParityCheck <modelDir> <reference.json> <out.json> [<modelDir> <reference.json>"
                    + " <out.json> ...]");
            System.exit(2);
        }
        for (int i = 0; i < args.length; i += 3) {
            run(Path.of(args[i]), Path.of(args[i + 1]), Path.of(args[i + 2]));
        }
    }

    static void run(Path modelDir, Path referenceFile, Path outFile) throws IOException {
        JsonObject inputs = GSON.fromJson(Files.readString(referenceFile), JsonObject.class).getAsJsonObject("inputs");
        double beta = inputs.get("beta").getAsDouble();
        double lr = inputs.get("lr").getAsDouble();
        double beta1 = inputs.getAsJsonArray("betas").get(0).getAsDouble();
        double beta2 = inputs.getAsJsonArray("betas").get(1).getAsDouble();
        double eps = inputs.get("eps").getAsDouble();
        double weightDecay = inputs.get("weight_decay").getAsDouble();
        double maxGradNorm = inputs.get("max_grad_norm").getAsDouble();
        int padId = inputs.get("pad_id").getAsInt();
        List<TokenizedPair> pairs = new ArrayList<>();
        for (JsonElement element : inputs.getAsJsonArray("pairs")) {
            JsonObject pair = element.getAsJsonObject();
            pairs.add(new TokenizedPair(ints(pair.getAsJsonArray("prompt")), ints(pair.getAsJsonArray("chosen")),
                    ints(pair.getAsJsonArray("rejected"))));
        }
        int n = pairs.size();
        String name = outFile.getFileName().toString().replaceFirst("\\.json$", "");
        Path weightsOut = outFile.resolveSibling(name + "_step1");

        JsonObject out = new JsonObject();
        out.addProperty("model_dir", modelDir.toString());
        long start = System.nanoTime();
        try (NDManager root = NDManager.newBaseManager()) {
            out.addProperty("device", root.getDevice().toString());
            out.addProperty("engine", Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
            // -Ddpo4j.kernels=torchscript and -Ddpo4j.share_prompt=true check the fast path
            CausalLm policy = ModelFolder.load(modelDir, root)
                    .withKernels(Kernels.named(System.getProperty("dpo4j.kernels", "djl")));
            boolean share = Boolean.getBoolean("dpo4j.share_prompt");
            out.addProperty("kernels", policy.kernels().name());
            out.addProperty("share_prompt", share);
            CausalLm reference = policy.frozenCopy(DataType.FLOAT32);
            out.addProperty("model_type", policy.config().modelType());
            out.addProperty("rope_theta_used", policy.config().ropeTheta());
            out.addProperty("rope_scaling_used", String.valueOf(policy.config().ropeScaling()));
            PairBatch batch = new PairCollator(padId, 1, share).collate(pairs);
            LossFunction loss = Losses.sigmoid(beta);
            try (NDManager scope = root.newSubManager()) {
                PairBatch.Arrays arrays = batch.toArrays(scope);
                NDArray referenceLogps = CompletionScorer.score(reference, arrays, reference.weights(),
                        DataType.FLOAT32).logps().stopGradient();

                // forward and backward as TrainingRun does; the optimizer flattens the weights first
                AdamW optimizer = new AdamW(root, policy.parameters(), beta1, beta2, eps, weightDecay,
                        policy.kernels());
                policy.parameters().values().forEach(w -> w.setRequiresGradient(true));
                float[] logpsBefore;
                float lossBefore;
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    CompletionScorer.Scores scores = CompletionScorer.score(policy, arrays, policy.weights(),
                            DataType.FLOAT32);
                    NDArray total = loss.compute(split(scores.logps(), referenceLogps, arrays, n)).losses().mean();
                    collector.backward(total);
                    logpsBefore = scores.logps().toFloatArray();
                    lossBefore = total.getFloat();
                }
                JsonObject gradNorms = new JsonObject();
                for (Map.Entry<String, NDArray> entry : policy.parameters().entrySet()) {
                    NDArray gradient = entry.getValue().getGradient();
                    gradient.attach(scope);
                    optimizer.gradients().get(entry.getKey()).addi(gradient);
                    gradNorms.addProperty(entry.getKey(), Math.sqrt(gradient.square().sum().getFloat()));
                }
                double gradNorm = optimizer.step(lr, maxGradNorm, 1.0); // norm, clip and update as TrainingRun
                double clip = maxGradNorm > 0 ? Math.min(1.0, maxGradNorm / (gradNorm + 1e-6)) : 1.0; // as applied
                policy.parameters().values().forEach(w -> w.setRequiresGradient(false));

                NDArray after = CompletionScorer.score(policy, arrays, policy.weights(), DataType.FLOAT32)
                        .logps();
                float lossAfter = loss.compute(split(after, referenceLogps, arrays, n)).losses().mean().getFloat();

                put(out, "logps_before", logpsBefore, n);
                out.addProperty("loss_before", lossBefore);
                out.addProperty("grad_norm", gradNorm);
                out.addProperty("clip_coef", clip);
                out.add("grad_norms", gradNorms);
                put(out, "logps_after", after.toFloatArray(), n);
                out.addProperty("loss_after", lossAfter);

                // float16 forward of the starting weights (a yardstick, not a parity criterion)
                try {
                    Map<String, NDArray> half = new HashMap<>();
                    Weights halfWeights = w -> half.computeIfAbsent(w,
                            k -> reference.weights().get(k).toType(DataType.FLOAT16, true));
                    float[] logps16 = CompletionScorer.score(reference, arrays, halfWeights, DataType.FLOAT16)
                            .logps().toFloatArray();
                    put(out, "logps_fp16", logps16, n);
                } catch (RuntimeException e) {
                    out.addProperty("logps_fp16_error", e.toString());
                }
                if (policy.kernels().name().equals("torchscript")) { // bfloat16 needs the TorchScript casts
                    try (CausalLm brain = reference.frozenCopy(DataType.BFLOAT16)) {
                        float[] logpsBf16 = CompletionScorer.score(brain, arrays, brain.weights(),
                                DataType.BFLOAT16).logps().toFloatArray();
                        put(out, "logps_bf16", logpsBf16, n);
                    }
                }
                optimizer.close();
            }
            ModelFolder.save(policy, weightsOut, null);
            out.addProperty("weights_after", weightsOut.toString());
            reference.close();
            policy.close();
        }
        out.addProperty("seconds", (System.nanoTime() - start) / 1e9);
        Files.writeString(outFile, GSON.toJson(out) + "\n");
        System.out.printf("ParityCheck %s on %s: loss %.7f -> %.7f, grad norm %.6g, wrote %s%n", modelDir,
                out.get("device").getAsString(), out.get("loss_before").getAsDouble(),
                out.get("loss_after").getAsDouble(), out.get("grad_norm").getAsDouble(), outFile);
    }

    /** The chosen and rejected halves of per-sequence log-probs, with the reference's. */
    static PreferenceLogps split(NDArray policy, NDArray reference, PairBatch.Arrays arrays, int pairs) {
        NDIndex chosen = new NDIndex(":{}", pairs);
        NDIndex rejected = new NDIndex("{}:", pairs);
        NDArray lengths = arrays.completionLengths();
        return new PreferenceLogps(policy.get(chosen), policy.get(rejected), reference.get(chosen),
                reference.get(rejected), lengths.get(chosen), lengths.get(rejected));
    }

    /** Writes chosen and rejected values ({@code values[0..pairs)} and {@code [pairs..2*pairs)}) under {@code key}. */
    static void put(JsonObject out, String key, float[] values, int pairs) {
        JsonArray chosen = new JsonArray();
        JsonArray rejected = new JsonArray();
        for (int i = 0; i < pairs; i++) {
            chosen.add(values[i]);
            rejected.add(values[pairs + i]);
        }
        JsonObject both = new JsonObject();
        both.add("chosen", chosen);
        both.add("rejected", rejected);
        out.add(key, both);
    }

    /** The integers of a JSON array. */
    static int[] ints(JsonArray array) {
        int[] values = new int[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).getAsInt();
        }
        return values;
    }
}
