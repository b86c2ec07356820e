package dev.dpo4j.core.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import dev.dpo4j.api.arrays.Scalars;
import dev.dpo4j.api.loss.LossFunction;
import dev.dpo4j.core.data.PairBatch;
import dev.dpo4j.core.data.PairCollator;
import dev.dpo4j.core.data.TokenizedPair;
import dev.dpo4j.core.kernels.Autograd;
import dev.dpo4j.core.internal.step.MicroBatchOutcome;
import dev.dpo4j.core.kernels.Kernels;
import dev.dpo4j.core.loss.Losses;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.ForwardContext;
import dev.dpo4j.core.model.ModelConfig;
import dev.dpo4j.testing.RandomInit;
import dev.dpo4j.testing.TinyModels;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A shared prompt gives the log-probs and gradients of separate chosen and rejected rows. */
class SharedPromptTest {

    /** Prompts of 5, 2, 7 and 0 tokens and completions of 1 to 6: every row of either layout differs in length. */
    private static final List<TokenizedPair> PAIRS = List.of(
            new TokenizedPair(new int[] {3, 4, 5, 6, 7}, new int[] {8, 9, 10, 2}, new int[] {11, 2}),
            new TokenizedPair(new int[] {3, 12}, new int[] {13, 2}, new int[] {14, 15, 16, 17, 18, 2}),
            new TokenizedPair(new int[] {3, 19, 20, 21, 22, 23, 24}, new int[] {25, 26, 2}, new int[] {27, 28, 2}),
            new TokenizedPair(new int[0], new int[] {29, 30, 2}, new int[] {31, 2}));
    private static final float[] REFERENCE = {-20, -9, -15, -8, -10, -30, -12, -5};
    private static final LossFunction LOSS = Losses.sigmoid(0.5);

    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    /**
     * The architectures: Llama, Qwen3 (q/k norms, tied head), Mistral with a window of 4 on every layer, and Qwen2
     * with a window of 3 on its second layer only; the rows are up to 10 (unshared) and 13 (shared) tokens long.
     */
    private static ModelConfig architecture(String name) {
        return switch (name) {
            case "llama" -> TinyModels.config("llama", 50, false);
            case "qwen3" -> TinyModels.config("qwen3", 50, true);
            case "mistral-window" -> {
                JsonObject json = TinyModels.json("mistral", 50, false);
                json.addProperty("sliding_window", 4);
                yield ModelConfig.fromJson(json, name);
            }
            case "qwen2-window-layer" -> {
                JsonObject json = TinyModels.json("qwen2", 50, false);
                json.addProperty("attention_bias", true);
                json.addProperty("use_sliding_window", true);
                json.addProperty("sliding_window", 3);
                json.addProperty("max_window_layers", 1);
                yield ModelConfig.fromJson(json, name);
            }
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen3", "mistral-window", "qwen2-window-layer"})
    void logProbsAndGradientsEqualTheUnsharedRows(String name) {
        ModelConfig config = architecture(name);
        if (name.contains("window")) {
            assertThat(config.slidingWindow()).as("a window shorter than the rows").isNotNull();
        }
        try (CausalLm model = RandomInit.create(config, manager, 4, 0.2)) {
            model.parameters().values().forEach(w -> w.setRequiresGradient(true));
            PairBatch unshared = new PairCollator(0, 1, false).collate(PAIRS);
            PairBatch shared = new PairCollator(0, 1, true).collate(PAIRS);
            assertThat(shared.rows()).isEqualTo(4);
            assertThat(unshared.rows()).isEqualTo(8);

            float[][] expected = scores(model, unshared);
            float[][] actual = scores(model, shared);
            assertClose(actual[0], expected[0], 1e-5f, 1e-6f, name + " logps");
            assertClose(actual[1], expected[1], 1e-5f, 1e-6f, name + " mean logits");
            // attention in query chunks of one row each, which cut the per-row masks too
            try (CausalLm chunked = new CausalLm(config, model.parameters(), manager.newSubManager(),
                    Kernels.djl(4 * 13, Kernels.UPDATE_SLICE))) {
                assertClose(scores(chunked, shared)[0], expected[0], 1e-5f, 1e-6f, name + " chunked logps");
            }

            // the TorchScript kernels attend causally over the views (flash attention on a GPU), not over the masks
            CausalLm fused = model.withKernels(Kernels.torchScript());
            assertClose(scores(fused, shared)[0], expected[0], 1e-5f, 1e-6f, name + " torchscript logps");

            Map<String, float[]> plain = gradients(model, unshared, false);
            for (CausalLm kernels : List.of(model, fused)) {
                for (boolean recomputed : new boolean[] {false, true}) {
                    Map<String, float[]> sharing = gradients(kernels, shared, recomputed);
                    plain.forEach((weight, gradient) -> assertClose(sharing.get(weight), gradient, 1e-4f, 1e-6f,
                            name + " " + kernels.kernels().name() + (recomputed ? " recomputed " : " plain ")
                                    + weight));
                }
            }
            Map<String, float[]> recomputedUnshared = gradients(model, unshared, true);
            plain.forEach((weight, gradient) -> assertClose(recomputedUnshared.get(weight), gradient, 1e-4f,
                    1e-6f, name + " recomputed unshared " + weight));
            assertThat(plain.values().stream().mapToDouble(SharedPromptTest::largest).min().orElseThrow())
                    .as("the smallest largest gradient of a weight").isGreaterThan(1e-7);
        }
    }

    @Test
    void theBlocksAndThePositionsAreWhatMakeThemEqual() {
        // the check above can fail: without the blocks, rejected tokens see chosen ones; without the positions, a
        // rejected completion stands after the chosen one
        try (CausalLm model = RandomInit.create(architecture("llama"), manager, 4, 0.2)) {
            float[] expected = scores(model, new PairCollator(0, 1, false).collate(PAIRS))[0];
            PairBatch.Arrays a = new PairCollator(0, 1, true).collate(PAIRS).toArrays(manager);
            PairBatch.Arrays noBlocks = new PairBatch.Arrays(a.inputIds(), a.scoredRows(), a.targets(), a.segments(),
                    a.completionLengths(), a.positionIds(), a.blocks().zerosLike(), null, null);
            long length = a.inputIds().getShape().get(1);
            PairBatch.Arrays indexPositions = new PairBatch.Arrays(a.inputIds(), a.scoredRows(), a.targets(),
                    a.segments(), a.completionLengths(), manager.arange((int) length).toType(DataType.INT64, false)
                    .reshape(1, length).repeat(0, 4), a.blocks(), null, null);
            for (PairBatch.Arrays broken : List.of(noBlocks, indexPositions)) {
                float[] logps = CompletionScorer.score(model, broken, model.weights(), DataType.FLOAT32).logps()
                        .toFloatArray();
                for (int i = 0; i < 4; i++) {
                    assertThat(logps[i]).as("chosen %d", i).isCloseTo(expected[i], within(1e-4f));
                }
                double rejected = 0;
                for (int i = 4; i < 8; i++) {
                    rejected += Math.abs(logps[i] - expected[i]);
                }
                assertThat(rejected).isGreaterThan(1e-2);
            }
        }
    }

    @Test
    void theTorchScriptKernelsReadTheViews() {
        // with the views' sources all pointing at one token, every row token takes that token's attention output
        try (CausalLm model = RandomInit.create(architecture("llama"), manager, 4, 0.2)) {
            CausalLm fused = model.withKernels(Kernels.torchScript());
            float[] expected = scores(model, new PairCollator(0, 1, false).collate(PAIRS))[0];
            PairBatch.Arrays a = new PairCollator(0, 1, true).collate(PAIRS).toArrays(manager);
            PairBatch.Arrays broken = new PairBatch.Arrays(a.inputIds(), a.scoredRows(), a.targets(), a.segments(),
                    a.completionLengths(), a.positionIds(), a.blocks(), a.viewTokens(), a.tokenSources().zerosLike());
            float[] logps = CompletionScorer.score(fused, broken, model.weights(), DataType.FLOAT32).logps()
                    .toFloatArray();
            double difference = 0;
            for (int i = 0; i < logps.length; i++) {
                difference += Math.abs(logps[i] - expected[i]);
            }
            assertThat(difference).isGreaterThan(1e-2);
        }
    }

    @Test
    void kernelsThatReadTheViewsGetNoBlockMasks() {
        try (CausalLm model = RandomInit.create(architecture("mistral-window"), manager, 4, 0.2)) {
            PairBatch.Arrays a = new PairCollator(0, 1, true).collate(PAIRS).toArrays(manager);
            ForwardContext fused = Decoder.context(model.withKernels(Kernels.torchScript()), a,
                    DataType.FLOAT32, manager);
            assertThat(fused.causalMask().additive()).isNull();
            assertThat(fused.causalMask().views()).isNotNull();
            assertThat(fused.slidingMask().additive()).isNull();
            assertThat(fused.slidingMask().views().window()).as("the window over the views").isNotNull();
            ForwardContext plain = Decoder.context(model, a, DataType.FLOAT32, manager);
            assertThat(plain.causalMask().additive().getShape().dimension()).isEqualTo(3);
            assertThat(plain.slidingMask().additive()).isNotNull();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "mistral-window"})
    void packedSequencesAttendAsTheBlockMasks(String name) {
        // flash attention's varlen kernel runs on GPUs only: here each packed sequence attends with its causal mask
        // aligned to the end of its keys, as that kernel does, and every real token must get the block mask's output
        ModelConfig config = architecture(name);
        try (CausalLm model = RandomInit.create(config, manager, 4, 0.2); NDManager scope = manager.newSubManager()) {
            PairBatch batch = new PairCollator(0, 1, true).collate(PAIRS);
            ForwardContext context = Decoder.context(model, batch.toArrays(scope), DataType.FLOAT32,
                    scope);
            int heads = config.numHeads();
            int kvHeads = config.numKvHeads();
            int dim = config.headDim();
            int rows = batch.rows();
            int length = batch.length();
            NDArray query = scope.randomNormal(new ai.djl.ndarray.types.Shape(rows, heads, length, dim));
            NDArray key = scope.randomNormal(new ai.djl.ndarray.types.Shape(rows, kvHeads, length, dim));
            NDArray value = scope.randomNormal(new ai.djl.ndarray.types.Shape(rows, kvHeads, length, dim));
            boolean windowed = config.slidingWindow() != null;
            float[] expected = Kernels.djl().attention(query, key, value,
                    windowed ? context.slidingMask() : context.causalMask()).transpose(0, 2, 1, 3).toFloatArray();
            float[] actual = packedAttention(batch.packed(), query, key, value,
                    windowed ? config.slidingWindow().size() : 0);
            int width = heads * dim;
            for (int token = 0; token < rows * length; token++) {
                if (batch.blocks()[token] != PairBatch.PADDING) {
                    assertClose(java.util.Arrays.copyOfRange(actual, token * width, (token + 1) * width),
                            java.util.Arrays.copyOfRange(expected, token * width, (token + 1) * width), 1e-5f, 1e-6f,
                            name + " token " + token);
                }
            }
        }
    }

    /** Attention of packed sequences as flash attention's varlen kernel computes it, {@code (tokens, heads, dim)}. */
    private static float[] packedAttention(PairBatch.Packed packed, NDArray query, NDArray key, NDArray value,
            int window) {
        NDManager scope = query.getManager();
        long heads = query.getShape().get(1);
        long kvHeads = key.getShape().get(1);
        long dim = query.getShape().get(3);
        NDArray queries = query.transpose(0, 2, 1, 3).reshape(-1, heads, dim);
        NDArray keys = key.transpose(0, 2, 1, 3).reshape(-1, kvHeads, dim).get(scope.create(packed.keyTokens()))
                .repeat(1, heads / kvHeads);
        NDArray values = value.transpose(0, 2, 1, 3).reshape(-1, kvHeads, dim)
                .get(scope.create(packed.keyTokens())).repeat(1, heads / kvHeads);
        ai.djl.ndarray.NDList out = new ai.djl.ndarray.NDList();
        for (int s = 0; s + 1 < packed.queryStarts().length; s++) {
            int q0 = packed.queryStarts()[s];
            int k0 = packed.keyStarts()[s];
            int nq = packed.queryStarts()[s + 1] - q0;
            int nk = packed.keyStarts()[s + 1] - k0;
            float[] mask = new float[nq * nk];
            for (int i = 0; i < nq; i++) {
                for (int j = 0; j < nk; j++) {
                    int position = i + nk - nq; // aligned to the end of the keys
                    boolean seen = j <= position && (window == 0 || position - j < window);
                    mask[i * nk + j] = seen ? 0f : -1e9f;
                }
            }
            NDArray q = queries.get(q0 + ":" + (q0 + nq)).transpose(1, 0, 2);
            NDArray k = keys.get(k0 + ":" + (k0 + nk)).transpose(1, 0, 2);
            NDArray v = values.get(k0 + ":" + (k0 + nk)).transpose(1, 0, 2);
            NDArray scores = q.matMul(k.transpose(0, 2, 1)).div(Math.sqrt(dim))
                    .add(scope.create(mask, new ai.djl.ndarray.types.Shape(nq, nk)));
            out.add(scores.softmax(-1).matMul(v).transpose(1, 0, 2));
        }
        return ai.djl.ndarray.NDArrays.concat(out).toFloatArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "mistral-window"})
    void float16LogProbsTrackTheUnsharedRows(String name) {
        try (CausalLm master = RandomInit.create(architecture(name), manager, 4, 0.2);
                CausalLm half = master.frozenCopy(DataType.FLOAT16)) {
            float[] unshared = logps(half, new PairCollator(0, 8, false).collate(PAIRS), DataType.FLOAT16);
            float[] shared = logps(half, new PairCollator(0, 8, true).collate(PAIRS), DataType.FLOAT16);
            float[] full = logps(master, new PairCollator(0, 8, false).collate(PAIRS), DataType.FLOAT32);
            for (int i = 0; i < full.length; i++) {
                assertThat(shared[i]).as("%s sequence %d", name, i).isFinite()
                        .isCloseTo(unshared[i], within(0.02f + 2e-3f * Math.abs(full[i])))
                        .isCloseTo(full[i], within(0.05f + 5e-3f * Math.abs(full[i])));
            }
        }
    }

    private float[] logps(CausalLm model, PairBatch batch, DataType type) {
        try (NDManager scope = manager.newSubManager()) {
            return CompletionScorer.score(model, batch.toArrays(scope), model.weights(), type).logps()
                    .toType(DataType.FLOAT32, false).toFloatArray();
        }
    }

    /** Per-sequence log-probs and mean logits, without a graph. */
    private float[][] scores(CausalLm model, PairBatch batch) {
        try (NDManager scope = manager.newSubManager()) {
            CompletionScorer.Scores scores = CompletionScorer.score(model, batch.toArrays(scope), model.weights(),
                    DataType.FLOAT32);
            return new float[][] {scores.logps().toFloatArray(), scores.meanLogits().toFloatArray()};
        }
    }

    /** The weights' gradients of 3 times the batch's mean DPO loss, by the plain or the recomputed pass. */
    private Map<String, float[]> gradients(CausalLm model, PairBatch batch, boolean recomputed) {
        try (NDManager scope = manager.newSubManager()) {
            PairBatch.Arrays arrays = batch.toArrays(scope);
            NDArray reference = scope.create(REFERENCE);
            int pairs = batch.pairs();
            if (recomputed) {
                // 200 logit elements: four tokens per head chunk
                RecomputingPass.run(model, arrays, model.weights(), DataType.FLOAT32, scope, 3.0, 200,
                        scores -> MicroBatchOutcome.of(LOSS, scores, reference, arrays, pairs),
                        outcome -> outcome.output().losses());
            } else {
                try (Autograd recording = Autograd.record()) {
                    CompletionScorer.Scores scores = CompletionScorer.score(model, arrays, model.weights(),
                            DataType.FLOAT32);
                    NDArray mean = MicroBatchOutcome.of(LOSS, scores, reference, arrays, pairs).output().losses()
                            .mean();
                    Autograd.backward(mean.mul(Scalars.of(mean, 3.0)));
                }
            }
            Map<String, float[]> gradients = new LinkedHashMap<>();
            model.parameters().forEach((name, weight) -> {
                NDArray gradient = weight.getGradient();
                gradients.put(name, gradient.toFloatArray());
                gradient.subi(gradient);
                gradient.close();
            });
            return gradients;
        }
    }

    /**
     * Each value within {@code relative} of its expected value, or of a hundredth of the largest expected value
     * when it is smaller, or within {@code absolute} (rounding of values that are zero in exact arithmetic).
     */
    private static void assertClose(float[] actual, float[] expected, float relative, float absolute, String what) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        float scale = largest(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as("%s[%d]", what, i).isCloseTo(expected[i],
                    within(absolute + relative * Math.max(Math.abs(expected[i]), 0.01f * scale)));
        }
    }

    private static float largest(float[] values) {
        float largest = 0;
        for (float value : values) {
            largest = Math.max(largest, Math.abs(value));
        }
        return largest;
    }
}
