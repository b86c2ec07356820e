package dev.dpo4j.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.dpo4j.core.kernels.Kernels;
import dev.dpo4j.core.scoring.CompletionScorer;
import dev.dpo4j.core.scoring.Decoder;
import dev.dpo4j.testing.RandomInit;
import dev.dpo4j.testing.TinyModels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CausalLmTest {

    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    @Test
    void hiddenStatesAreCausal() {
        for (String family : new String[] {"llama", "qwen2", "qwen3"}) {
            try (CausalLm model = RandomInit.create(TinyModels.config(family, 50, false), manager, 7, 0.2)) {
                NDArray ids = manager.create(new long[][] {{3, 4, 5, 6, 7}, {3, 4, 5, 9, 9}});
                NDArray hidden = Decoder.hiddenStates(model, ids, model.weights(), DataType.FLOAT32);
                assertThat(hidden.getShape().getShape()).containsExactly(2, 5, 32);
                // positions 0..2 share their prefix, so their states must match; position 3 differs
                NDArray first = hidden.get("0, :3, :");
                NDArray second = hidden.get("1, :3, :");
                assertThat(first.sub(second).abs().max().getFloat()).isLessThan(1e-5f);
                assertThat(hidden.get("0, 3, :").sub(hidden.get("1, 3, :")).abs().max().getFloat())
                        .as(family).isGreaterThan(1e-4f);
            }
        }
    }

    @Test
    void gradientsReachEveryWeight() {
        try (CausalLm model = RandomInit.create(TinyModels.config("qwen2", 50, true), manager, 7, 0.2)) {
            model.parameters().values().forEach(w -> w.setRequiresGradient(true));
            NDArray ids = manager.create(new long[][] {{3, 4, 5, 6, 7}});
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray hidden = Decoder.hiddenStates(model, ids, model.weights(), DataType.FLOAT32);
                NDArray logits = hidden.matMul(model.lmHead(model.weights()).transpose());
                collector.backward(logits.logSoftmax(-1).get(":, :, 3").sum());
            }
            model.parameters().forEach((name, weight) -> {
                NDArray gradient = weight.getGradient();
                assertThat(gradient.abs().sum().getFloat()).as(name).isGreaterThan(0f);
                gradient.set(new NDIndex("..."), 0f);
                assertThat(weight.getGradient().abs().sum().getFloat()).as(name).isEqualTo(0f);
            });
        }
    }

    @Test
    void scorerSumsLogSoftmaxOfEachCompletionTokenAtThePrecedingPosition() {
        try (CausalLm model = RandomInit.create(TinyModels.config("llama", 50, false), manager, 9, 0.3)) {
            var pair = new dev.dpo4j.core.data.TokenizedPair(new int[] {3, 4}, new int[] {5, 6, 7}, new int[] {8});
            var arrays = new dev.dpo4j.core.data.PairCollator(0, 1).collate(java.util.List.of(pair))
                    .toArrays(manager);
            float[] scored = CompletionScorer.score(model, arrays, model.weights(), DataType.FLOAT32).logps()
                    .toFloatArray();
            // the same by brute force: full logits everywhere, log-softmax, pick by hand
            NDArray hidden = Decoder.hiddenStates(model, arrays.inputIds(), model.weights(), DataType.FLOAT32);
            NDArray logps = hidden.matMul(model.lmHead(model.weights()).transpose()).logSoftmax(-1);
            double chosen = logps.getFloat(0, 1, 5) + logps.getFloat(0, 2, 6) + logps.getFloat(0, 3, 7);
            double rejected = logps.getFloat(1, 1, 8);
            assertThat(scored[0]).isCloseTo((float) chosen, within(1e-5f));
            assertThat(scored[1]).isCloseTo((float) rejected, within(1e-5f));
        }
    }

    @Test
    void readsRopeFromTransformers5RopeParametersAndFromOlderTopLevelKeys() {
        var json = TinyModels.json("llama", 50, false);
        json.remove("rope_theta");
        var parameters = new com.google.gson.JsonObject();
        parameters.addProperty("rope_type", "llama3");
        parameters.addProperty("rope_theta", 500000.0);
        parameters.addProperty("factor", 8.0);
        parameters.addProperty("low_freq_factor", 1.0);
        parameters.addProperty("high_freq_factor", 4.0);
        parameters.addProperty("original_max_position_embeddings", 64);
        json.add("rope_parameters", parameters);
        ModelConfig config = ModelConfig.fromJson(json, "config.json");
        assertThat(config.ropeTheta()).isEqualTo(500000.0);
        assertThat(config.ropeScaling()).isEqualTo(new ModelConfig.RopeScaling(8, 1, 4, 64));

        var old = TinyModels.json("qwen2", 50, false);
        old.addProperty("rope_theta", 1000000.0);
        assertThat(ModelConfig.fromJson(old, "config.json").ropeTheta()).isEqualTo(1000000.0);
        assertThat(ModelConfig.fromJson(old, "config.json").ropeScaling()).isNull();
    }

    @Test
    void readsWhichLayersUseASlidingWindow() {
        var mistral = TinyModels.json("mistral", 50, false);
        mistral.addProperty("sliding_window", 4096);
        assertThat(ModelConfig.fromJson(mistral, "c").slidingWindow())
                .isEqualTo(new ModelConfig.SlidingWindow(4096, java.util.Set.of(0, 1)));
        mistral.add("sliding_window", com.google.gson.JsonNull.INSTANCE);
        assertThat(ModelConfig.fromJson(mistral, "c").slidingWindow()).isNull();

        var qwen = TinyModels.json("qwen2", 50, false);
        qwen.addProperty("sliding_window", 32768);
        qwen.addProperty("use_sliding_window", false);
        assertThat(ModelConfig.fromJson(qwen, "c").slidingWindow()).isNull();
        qwen.addProperty("use_sliding_window", true);
        qwen.addProperty("max_window_layers", 1);
        assertThat(ModelConfig.fromJson(qwen, "c").slidingWindow().layers()).containsExactly(1);

        var typed = TinyModels.json("qwen3", 50, false);
        typed.addProperty("sliding_window", 8);
        typed.add("layer_types", new com.google.gson.Gson().toJsonTree(java.util.List.of("sliding_attention",
                "full_attention")));
        assertThat(ModelConfig.fromJson(typed, "c").slidingWindow().layers()).containsExactly(0);
        assertThat(TinyModels.config("llama", 50, false).slidingWindow()).isNull();
    }

    @Test
    void aSlidingWindowLimitsWhatTheLastTokenSees() {
        // one layer, rotary positions are relative: with a window of 3 the last token's state depends only on the
        // last 3 tokens, wherever they stand
        var json = TinyModels.json("mistral", 50, false);
        json.addProperty("num_hidden_layers", 1);
        json.addProperty("sliding_window", 3);
        ModelConfig windowed = ModelConfig.fromJson(json, "c");
        json.add("sliding_window", com.google.gson.JsonNull.INSTANCE);
        ModelConfig full = ModelConfig.fromJson(json, "c");
        try (CausalLm model = RandomInit.create(windowed, manager, 5, 0.3);
                CausalLm plain = new CausalLm(full, model.parameters(), manager.newSubManager())) {
            NDArray ids = manager.create(new long[][] {{11, 12, 13, 14, 15, 16, 17, 18}});
            NDArray tail = manager.create(new long[][] {{16, 17, 18}});
            float[] last = Decoder.hiddenStates(model, ids, model.weights(), DataType.FLOAT32).get("0, 7, :")
                    .toFloatArray();
            float[] alone = Decoder.hiddenStates(model, tail, model.weights(), DataType.FLOAT32).get("0, 2, :")
                    .toFloatArray();
            float[] unlimited = Decoder.hiddenStates(plain, ids, plain.weights(), DataType.FLOAT32).get("0, 7, :")
                    .toFloatArray();
            assertThat(last).containsExactly(alone, within(1e-5f));
            assertThat(Math.abs(unlimited[0] - last[0]) + Math.abs(unlimited[1] - last[1])).isGreaterThan(1e-4f);
        }
    }

    @Test
    void aSharedPromptsBlockMaskKeepsTheCompletionsApartAndItsWindowCountsPositions() {
        // one row [prompt 0 1; chosen 2 3; rejected 4 5 6; pad 7], as PairCollator lays it out
        NDArray positions = manager.create(new long[][] {{0, 1, 2, 3, 2, 3, 4, 0}});
        NDArray blocks = manager.create(new int[][] {{0, 0, 1, 1, 2, 2, 2, 3}});
        int[][] visible = {
            {1, 0, 0, 0, 0, 0, 0, 0},
            {1, 1, 0, 0, 0, 0, 0, 0},
            {1, 1, 1, 0, 0, 0, 0, 0}, // chosen sees the prompt and earlier chosen tokens
            {1, 1, 1, 1, 0, 0, 0, 0},
            {1, 1, 0, 0, 1, 0, 0, 0}, // rejected sees the prompt, never chosen
            {1, 1, 0, 0, 1, 1, 0, 0},
            {1, 1, 0, 0, 1, 1, 1, 0},
            {1, 1, 0, 0, 0, 0, 0, 1}}; // padding sees the prompt and itself
        // a window of 3 positions: position 3 no longer sees position 0, position 4 neither 0 nor 1, wherever they
        // stand in the row (rejected token 5 at position 3 loses prompt token 0, as it would in its own row)
        int[][] windowed = {
            {1, 0, 0, 0, 0, 0, 0, 0},
            {1, 1, 0, 0, 0, 0, 0, 0},
            {1, 1, 1, 0, 0, 0, 0, 0},
            {0, 1, 1, 1, 0, 0, 0, 0},
            {1, 1, 0, 0, 1, 0, 0, 0},
            {0, 1, 0, 0, 1, 1, 0, 0},
            {0, 0, 0, 0, 1, 1, 1, 0},
            {1, 1, 0, 0, 0, 0, 0, 1}};
        var json = TinyModels.json("mistral", 50, false);
        json.addProperty("sliding_window", 3);
        try (CausalLm model = RandomInit.create(ModelConfig.fromJson(json, "c"), manager, 5, 0.3);
                CausalLm plain = RandomInit.create(TinyModels.config("llama", 50, false), manager, 5, 0.3)) {
            ForwardContext context = Decoder.context(model, manager, positions, blocks, null, null, null, DataType.FLOAT32);
            assertThat(context.causalMask().perSequence()).isTrue();
            assertThat(context.causalMask().causal()).isFalse();
            assertThat(visibility(context.causalMask().additive())).isEqualTo(visible);
            assertThat(visibility(context.mask(0).additive())).isEqualTo(windowed);
            assertThat(context.causalMask().additive().min().getFloat()).isEqualTo(-1e30f);

            ForwardContext half = Decoder.context(plain, manager, positions, blocks, null, null, null, DataType.FLOAT16);
            assertThat(half.slidingMask()).isNull();
            assertThat(half.mask(0).additive().getDataType()).isEqualTo(DataType.FLOAT16);
            assertThat(half.mask(0).additive().toType(DataType.FLOAT32, false).min().getFloat()).isEqualTo(-30000f);
            assertThat(visibility(half.mask(1).additive())).isEqualTo(visible);
            // each token's rotary angles are those of its position in a plain sequence
            NDArray cos = half.rope().get(0);
            assertThat(cos.getShape().getShape()).containsExactly(1, 1, 8, 8);
            NDArray plainCos = Decoder.context(plain, manager, 8, DataType.FLOAT16).rope().get(0);
            assertThat(cos.get("0, 0, 5, :").toFloatArray()).containsExactly(plainCos.get("3, :").toFloatArray());
            assertThat(cos.get("0, 0, 7, :").toFloatArray()).containsExactly(plainCos.get("0, :").toFloatArray());
        }
    }

    /** 1 where the additive mask of one row lets a query see a key, 0 where it blocks it. */
    private static int[][] visibility(NDArray additive) {
        int length = (int) additive.getShape().get(1);
        float[] values = additive.toType(DataType.FLOAT32, false).toFloatArray();
        int[][] visible = new int[length][length];
        for (int i = 0; i < length; i++) {
            for (int j = 0; j < length; j++) {
                visible[i][j] = values[i * length + j] == 0f ? 1 : 0;
            }
        }
        return visible;
    }

    @Test
    void queryChunkedAttentionEqualsWholeAttentionWithGradients() {
        ModelConfig config = TinyModels.config("qwen3", 50, false);
        try (CausalLm model = RandomInit.create(config, manager, 11, 0.3)) {
            model.parameters().values().forEach(w -> w.setRequiresGradient(true));
            NDArray x = manager.randomNormal(new ai.djl.ndarray.types.Shape(2, 9, 32));
            ForwardContext context = Decoder.context(model, manager, 9, DataType.FLOAT32);
            float[][] outputs = new float[2][];
            float[][] gradients = new float[2][];
            // 2 * 4 heads * 9 positions = 72 scores per query row: 100 allows one row per chunk
            long[] limits = {Kernels.MAX_SCORE_ELEMENTS, 100};
            for (int run = 0; run < 2; run++) {
                CausalSelfAttention attention = new CausalSelfAttention(config, 1,
                        Kernels.djl(limits[run], Kernels.UPDATE_SLICE));
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray out = attention.forward(x, context.rope(), context.causalMask(), model.weights());
                    outputs[run] = out.toFloatArray();
                    collector.backward(out.square().sum());
                }
                NDArray gradient = model.parameters().get("model.layers.1.self_attn.q_proj.weight").getGradient();
                gradients[run] = gradient.toFloatArray();
                model.parameters().values().forEach(w -> w.getGradient().subi(w.getGradient()));
            }
            assertThat(outputs[1]).containsExactly(outputs[0], within(1e-5f));
            assertThat(gradients[1]).containsExactly(gradients[0], within(1e-4f));
        }
    }

    @Test
    void rmsNormMatchesHandComputation() {
        NDArray x = manager.create(new float[] {1, 2, 3, 4}).reshape(1, 4);
        NDArray weight = manager.create(new float[] {1, 1, 2, 2});
        NDArray y = new RmsNorm("w", 4, 0).forward(x, name -> weight);
        double rms = Math.sqrt((1 + 4 + 9 + 16) / 4.0);
        assertThat(y.toFloatArray()).containsExactly(new float[] {(float) (1 / rms), (float) (2 / rms),
            (float) (6 / rms), (float) (8 / rms)}, within(1e-6f));
    }
}
