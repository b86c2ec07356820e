package dev.dpo4j.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonObject;
import dev.dpo4j.core.data.PairBatch;
import dev.dpo4j.core.data.PairCollator;
import dev.dpo4j.core.data.TokenizedPair;
import dev.dpo4j.core.kernels.AttentionMask;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.CausalSelfAttention;
import dev.dpo4j.core.model.ForwardContext;
import dev.dpo4j.core.model.MlpBlock;
import dev.dpo4j.core.model.ModelConfig;
import dev.dpo4j.core.model.Weights;
import dev.dpo4j.core.optim.AdamW;
import dev.dpo4j.core.scoring.Decoder;
import dev.dpo4j.core.scoring.CompletionScorer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A cheap profile of one DPO step without the trainer (no checkpointing): the step that {@code TrainingRun} runs, cut
 * into phases with a device synchronization after each, built from dpo-core's public classes. Phases: float16 leaf
 * copies of the masters, the frozen reference's forward (no graph), the policy's forward with a graph, backward,
 * float32 gradient accumulation plus the global norm, and AdamW. Then single decoder-layer pieces (attention and MLP
 * forward without a graph), to split the forward between attention and the rest. Median over the repetitions.
 */
final class PhaseProfile {

    private PhaseProfile() {
    }

    static void run(CausalLm model, ModelConfig config, NDManager base, BenchOptions o, int eos,
            JsonObject result) {
        DataType type = o.fp16 ? DataType.FLOAT16 : DataType.FLOAT32;
        NDArray probe = base.zeros(new Shape(1));
        Runnable sync = probe::toFloatArray;
        CausalLm reference = model.frozenCopy(type);
        AdamW adam = new AdamW(base, model.parameters(), 0.9, 0.999, 1e-8, 0);
        SplittableRandom random = new SplittableRandom(7);
        List<TokenizedPair> pairs = new ArrayList<>();
        for (int i = 0; i < o.pairs; i++) {
            pairs.add(new TokenizedPair(ids(random, o.seq / 2, config.vocabSize()),
                    ids(random, o.seq / 2 - 1, config.vocabSize(), eos), ids(random, o.seq / 2 - 1,
                    config.vocabSize(), eos)));
        }
        PairBatch batch = new PairCollator(0, 8, o.sharePrompt).collate(pairs);
        String[] names = {"copies", "ref_forward", "policy_forward", "backward", "grad_accumulate", "norm_clip_adamw",
            "attention_forward_all_layers", "mlp_forward_all_layers"};
        int reps = o.warmup + o.steps;
        double[][] times = new double[names.length][reps];
        Map<String, NDArray> masters = model.parameters();
        Map<String, NDArray> accumulators = adam.gradients();
        if (!o.fp16) {
            masters.values().forEach(w -> w.setRequiresGradient(true));
        }
        for (int r = 0; r < reps; r++) {
            try (NDManager scope = base.newSubManager()) {
                PairBatch.Arrays arrays = batch.toArrays(scope);
                sync.run();
                long t = System.nanoTime();
                Map<String, NDArray> copies = new LinkedHashMap<>();
                if (o.fp16) {
                    masters.forEach((n, w) -> {
                        NDArray c = w.toType(DataType.FLOAT16, true);
                        c.attach(scope);
                        c.setRequiresGradient(true);
                        copies.put(n, c);
                    });
                } else {
                    copies.putAll(masters);
                }
                Weights weights = copies::get;
                t = lap(times[0], r, t, sync);
                NDArray refLogps = CompletionScorer.score(reference, arrays, reference.weights(),
                        type).logps().stopGradient();
                t = lap(times[1], r, t, sync);
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray logps = CompletionScorer.score(model, arrays, weights, type).logps();
                    // a stand-in for the DPO loss: same graph shape, negligible cost
                    NDArray loss = logps.sub(refLogps).mul(0.1).neg().exp().add(1).log().mean();
                    t = lap(times[2], r, t, sync);
                    collector.backward(loss);
                    t = lap(times[3], r, t, sync);
                }
                copies.forEach((n, c) -> {
                    NDArray g = c.getGradient();
                    g.attach(scope);
                    accumulators.get(n).addi(o.fp16 ? g.toType(DataType.FLOAT32, true) : g);
                    if (!o.fp16) {
                        g.subi(g);
                    }
                });
                t = lap(times[4], r, t, sync);
                adam.step(1e-6, 1.0, 1.0);
                t = lap(times[5], r, t, sync);
                // attention and MLP of every layer, forward only, on random states of the batch's shape
                NDArray x = scope.randomNormal(0f, 1f, new Shape(batch.rows(), batch.length(),
                        config.hiddenSize()), type);
                ForwardContext context = Decoder.context(model, arrays, type, scope);
                NDList rope = context.rope();
                AttentionMask mask = context.causalMask();
                Weights refWeights = reference.weights();
                sync.run();
                t = System.nanoTime();
                for (int layer = 0; layer < config.numLayers(); layer++) {
                    try (NDManager pieces = scope.newSubManager()) {
                        x.tempAttach(pieces);
                        new CausalSelfAttention(config, layer).forward(x, rope, mask, refWeights);
                    }
                }
                t = lap(times[6], r, t, sync);
                for (int layer = 0; layer < config.numLayers(); layer++) {
                    try (NDManager pieces = scope.newSubManager()) {
                        x.tempAttach(pieces);
                        new MlpBlock(config, layer).forward(x, refWeights);
                    }
                }
                lap(times[7], r, t, sync);
            }
        }
        JsonObject phases = new JsonObject();
        double stepTotal = 0;
        for (int i = 0; i < names.length; i++) {
            double[] timed = java.util.Arrays.copyOfRange(times[i], o.warmup, reps);
            java.util.Arrays.sort(timed);
            double median = timed[timed.length / 2];
            phases.addProperty(names[i] + "_s", median);
            if (i <= 5) {
                stepTotal += median;
            }
        }
        result.add("phases", phases);
        result.addProperty("profiled_step_s", stepTotal);
        result.addProperty("profiled_tokens_per_s", 2.0 * o.pairs * o.seq / stepTotal);
        // matrix-product FLOPs of one policy forward: projections and MLP on every token, the LM head on the scored
        // half, attention as two full (unmasked) seq x seq products per head
        long tokens = 2L * o.pairs * o.seq;
        double perLayer = 2.0 * config.hiddenSize() * (2.0 * config.numHeads() * config.headDim()
                + 2.0 * config.numKvHeads() * config.headDim()) + 6.0 * config.hiddenSize() * config.intermediateSize();
        double attention = 4.0 * o.seq * config.numHeads() * config.headDim();
        double flops = tokens * (config.numLayers() * (perLayer + attention))
                + tokens / 2.0 * 2.0 * config.hiddenSize() * config.vocabSize();
        result.addProperty("forward_matmul_tflop", flops / 1e12);
        result.addProperty("policy_forward_tflops", flops / 1e12 / phases.get("policy_forward_s").getAsDouble());
        double attnFlops = tokens * config.numLayers() * (attention + 2.0 * config.hiddenSize() * 2
                * (config.numHeads() + config.numKvHeads()) * config.headDim());
        result.addProperty("attention_forward_tflops",
                attnFlops / 1e12 / phases.get("attention_forward_all_layers_s").getAsDouble());
        result.addProperty("mlp_forward_tflops", tokens * config.numLayers() * 6.0 * config.hiddenSize()
                * config.intermediateSize() / 1e12 / phases.get("mlp_forward_all_layers_s").getAsDouble());
    }

    private static double lapSeconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static long lap(double[] into, int rep, long start, Runnable sync) {
        sync.run();
        into[rep] = lapSeconds(start);
        return System.nanoTime();
    }

    private static int[] ids(SplittableRandom random, int n, int vocab) {
        return ids(random, n, vocab, -1);
    }

    private static int[] ids(SplittableRandom random, int n, int vocab, int eos) {
        int[] out = new int[n + (eos >= 0 ? 1 : 0)];
        for (int i = 0; i < n; i++) {
            out[i] = 1 + random.nextInt(vocab - 2);
        }
        if (eos >= 0) {
            out[n] = eos;
        }
        return out;
    }
}
