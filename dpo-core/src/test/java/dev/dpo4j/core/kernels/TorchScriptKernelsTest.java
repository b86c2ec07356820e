package dev.dpo4j.core.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The TorchScript kernels against the pure-DJL ones, values and gradients, on the CPU natives. */
class TorchScriptKernelsTest {

    private static final int HEADS = 4;
    private static final int KV_HEADS = 2;
    private static final int LENGTH = 7;
    private static final int HEAD_DIM = 8;

    private final Kernels fused = Kernels.torchScript();
    private final Kernels plain = Kernels.djl();
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
        manager.getEngine().setRandomSeed(3);
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void loadsHereAndNamesItself() {
        assertThat(Kernels.named("torchscript")).isSameAs(fused);
        assertThat(Kernels.auto()).isSameAs(fused);
        assertThat(Kernels.named("DJL")).isSameAs(plain);
        assertThat(fused.name()).isEqualTo("torchscript");
        assertThat(Kernels.names()).containsExactly("auto", "torchscript", "djl");
        assertThatThrownBy(() -> Kernels.named("flash")).hasMessageContaining("kernels")
                .hasMessageContaining("torchscript").hasMessageContaining("flash");
    }

    @Test
    void causalGroupedQueryAttentionMatchesTheDjlKernelsWithGradients() {
        AttentionMask mask = AttentionMask.causal(mask(LENGTH, 0));
        assertSameAttention(q -> mask, 2);
    }

    @Test
    void slidingWindowAttentionMatchesTheDjlKernelsWithGradients() {
        AttentionMask mask = AttentionMask.of(mask(LENGTH, 3));
        assertSameAttention(q -> mask, 2);
    }

    @Test
    void perSequenceMasksMatchTheDjlKernelsWithGradients() {
        // sequence 0 causal, sequence 1 a window of 2
        NDArray both = mask(LENGTH, 0).expandDims(0).concat(mask(LENGTH, 2).expandDims(0), 0);
        AttentionMask mask = AttentionMask.of(both);
        assertThat(mask.perSequence()).isTrue();
        assertSameAttention(q -> mask, 2);
    }

    /** Values and the gradients into q, k and v of one attention call, fused against DJL. */
    private void assertSameAttention(Function<NDArray, AttentionMask> maskOf, int batch) {
        NDArray query = manager.randomNormal(new Shape(batch, HEADS, LENGTH, HEAD_DIM));
        NDArray key = manager.randomNormal(new Shape(batch, KV_HEADS, LENGTH, HEAD_DIM));
        NDArray value = manager.randomNormal(new Shape(batch, KV_HEADS, LENGTH, HEAD_DIM));
        NDArray weights = manager.randomNormal(new Shape(batch, HEADS, LENGTH, HEAD_DIM));
        float[][] results = new float[2][];
        float[][][] gradients = new float[2][3][];
        List<Kernels> both = List.of(plain, fused);
        for (int run = 0; run < 2; run++) {
            List<NDArray> inputs = List.of(query, key, value);
            inputs.forEach(x -> x.setRequiresGradient(true));
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray out = both.get(run).attention(query, key, value, maskOf.apply(query));
                results[run] = out.toFloatArray();
                collector.backward(out.mul(weights).sum());
            }
            for (int i = 0; i < 3; i++) {
                NDArray gradient = inputs.get(i).getGradient();
                gradients[run][i] = gradient.toFloatArray();
                gradient.subi(gradient); // torch accumulates into .grad
            }
        }
        assertThat(results[1]).containsExactly(results[0], within(1e-5f));
        for (int i = 0; i < 3; i++) {
            assertThat(gradients[1][i]).as("gradient %d", i).containsExactly(gradients[0][i], within(1e-4f));
        }
        float largest = 0;
        for (float g : gradients[0][1]) {
            largest = Math.max(largest, Math.abs(g));
        }
        assertThat(largest).as("keys get gradients").isGreaterThan(1e-3f);
    }

    /** 0 where query i may see key j ({@code j <= i}, within {@code window} when above 0), -1e30 elsewhere. */
    private NDArray mask(int length, int window) {
        NDArray rows = manager.arange(length).reshape(length, 1);
        NDArray columns = manager.arange(length).reshape(1, length);
        NDArray blocked = columns.gt(rows);
        if (window > 0) {
            blocked = blocked.logicalOr(rows.sub(columns).gte(window));
        }
        return blocked.toType(DataType.FLOAT32, false).mul(-1e30f);
    }

    @Test
    void fusedAdamWMatchesTheDjlUpdateWithDecayAndGradientScale() {
        Shape shape = new Shape(1000);
        NDArray[] weights = {manager.randomNormal(shape), null};
        weights[1] = weights[0].duplicate();
        NDArray start = weights[0].duplicate();
        NDArray[] means = {manager.zeros(shape), manager.zeros(shape)};
        NDArray[] variances = {manager.zeros(shape), manager.zeros(shape)};
        List<Kernels> both = List.of(plain, fused);
        for (int step = 1; step <= 3; step++) {
            NDArray gradient = manager.randomNormal(shape).mul(4f);
            Kernels.AdamWStep numbers = new Kernels.AdamWStep(1e-2, 0.1, 0.9, 0.999, 1e-8, step, 0.25);
            for (int run = 0; run < 2; run++) {
                both.get(run).adamW(weights[run], gradient.duplicate(), means[run], variances[run], numbers);
            }
        }
        assertThat(weights[1].toFloatArray()).containsExactly(weights[0].toFloatArray(), within(2e-6f));
        assertThat(means[1].toFloatArray()).containsExactly(means[0].toFloatArray(), within(1e-6f));
        assertThat(variances[1].toFloatArray()).containsExactly(variances[0].toFloatArray(), within(1e-6f));
        // three steps of about lr each (signs at random) moved the weights far beyond the tolerance
        assertThat(weights[1].sub(start).abs().mean().getFloat()).isGreaterThan(5e-3f);
    }

    @Test
    void swigluMatchesTheDjlKernelsWithGradients() {
        NDArray gate = manager.randomNormal(new Shape(2, 3, 8));
        NDArray up = manager.randomNormal(new Shape(2, 3, 8));
        NDArray upstream = manager.randomNormal(new Shape(2, 3, 8));
        float[][] values = new float[2][];
        float[][][] gradients = new float[2][2][];
        List<Kernels> both = List.of(plain, fused);
        for (int run = 0; run < 2; run++) {
            gate.setRequiresGradient(true);
            up.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray out = both.get(run).swiglu(gate, up);
                values[run] = out.toFloatArray();
                collector.backward(out.mul(upstream).sum());
            }
            for (int i = 0; i < 2; i++) {
                NDArray gradient = (i == 0 ? gate : up).getGradient();
                gradients[run][i] = gradient.toFloatArray();
                gradient.subi(gradient);
            }
        }
        assertThat(values[1]).containsExactly(values[0], within(1e-6f));
        assertThat(gradients[1][0]).containsExactly(gradients[0][0], within(1e-5f));
        assertThat(gradients[1][1]).containsExactly(gradients[0][1], within(1e-5f));
        // silu(g) * u by hand for the first element
        float g = gate.toFloatArray()[0];
        float u = up.toFloatArray()[0];
        assertThat(values[1][0]).isCloseTo((float) (g / (1 + Math.exp(-g)) * u), within(1e-6f));
    }

    /** Plain (tables per position) and per-row tables (a shared prompt), without and with Qwen3's per-head norms. */
    @org.junit.jupiter.params.ParameterizedTest(name = "per-row tables={0} norms={1}")
    @org.junit.jupiter.params.provider.CsvSource({"false,false", "true,false", "false,true", "true,true"})
    void rotaryHeadsMatchTheDjlKernelsWithGradients(boolean perRow, boolean normed) {
        int batch = 2;
        NDArray query = manager.randomNormal(new Shape(batch, LENGTH, HEADS * HEAD_DIM));
        NDArray key = manager.randomNormal(new Shape(batch, LENGTH, KV_HEADS * HEAD_DIM));
        NDArray value = manager.randomNormal(new Shape(batch, LENGTH, KV_HEADS * HEAD_DIM));
        Shape tableShape = perRow ? new Shape(batch, 1, LENGTH, HEAD_DIM) : new Shape(LENGTH, HEAD_DIM);
        NDArray angles = manager.randomUniform(0f, 6f, tableShape);
        ai.djl.ndarray.NDList rope = new ai.djl.ndarray.NDList(angles.cos(), angles.sin());
        NDArray queryScale = manager.randomNormal(new Shape(HEAD_DIM)).add(1f);
        NDArray keyScale = manager.randomNormal(new Shape(HEAD_DIM)).add(1f);
        List<NDArray> inputs = normed ? List.of(query, key, value, queryScale, keyScale) : List.of(query, key, value);
        NDArray[] upstream = {manager.randomNormal(new Shape(batch, HEADS, LENGTH, HEAD_DIM)),
            manager.randomNormal(new Shape(batch, KV_HEADS, LENGTH, HEAD_DIM)),
            manager.randomNormal(new Shape(batch, KV_HEADS, LENGTH, HEAD_DIM))};
        float[][][] values = new float[2][3][];
        float[][][] gradients = new float[2][inputs.size()][];
        List<Kernels> both = List.of(plain, fused);
        for (int run = 0; run < 2; run++) {
            inputs.forEach(x -> x.setRequiresGradient(true));
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                ai.djl.ndarray.NDList heads = both.get(run).rotaryHeads(query, key, value, rope,
                        normed ? new Kernels.HeadNorms(queryScale, keyScale, 1e-6) : null);
                NDArray loss = null;
                for (int i = 0; i < 3; i++) {
                    values[run][i] = heads.get(i).toFloatArray();
                    assertThat(heads.get(i).getShape()).isEqualTo(upstream[i].getShape());
                    NDArray term = heads.get(i).mul(upstream[i]).sum();
                    loss = loss == null ? term : loss.add(term);
                }
                collector.backward(loss);
            }
            for (int i = 0; i < inputs.size(); i++) {
                NDArray gradient = inputs.get(i).getGradient();
                gradients[run][i] = gradient.toFloatArray();
                gradient.subi(gradient);
            }
        }
        for (int i = 0; i < 3; i++) {
            assertThat(values[1][i]).as("output %d", i).containsExactly(values[0][i], within(1e-5f));
        }
        for (int i = 0; i < inputs.size(); i++) {
            assertThat(gradients[1][i]).as("gradient %d", i).containsExactly(gradients[0][i], within(1e-4f));
        }
        if (!normed) {
            // rotate-half by hand: query head 1, row 0, position 2, element 0 pairs with element HEAD_DIM / 2
            int position = 2;
            int head = 1;
            float[] q = query.toFloatArray();
            int base = position * HEADS * HEAD_DIM + head * HEAD_DIM;
            int table = position * HEAD_DIM;
            float cos = rope.get(0).toFloatArray()[table];
            float sin = rope.get(1).toFloatArray()[table];
            float expected = q[base] * cos - q[base + HEAD_DIM / 2] * sin;
            assertThat(values[1][0][head * LENGTH * HEAD_DIM + position * HEAD_DIM]).isCloseTo(expected,
                    within(1e-5f));
        }
    }

    @Test
    void rmsNormMatchesTheDjlKernelsWithGradients() {
        NDArray x = manager.randomNormal(new Shape(2, 3, 16));
        NDArray weight = manager.randomNormal(new Shape(16)).add(1f);
        NDArray upstream = manager.randomNormal(new Shape(2, 3, 16));
        float[][] values = new float[2][];
        float[][][] gradients = new float[2][2][];
        List<Kernels> both = List.of(plain, fused);
        for (int run = 0; run < 2; run++) {
            x.setRequiresGradient(true);
            weight.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray out = both.get(run).rmsNorm(x, weight, 1e-6);
                values[run] = out.toFloatArray();
                collector.backward(out.mul(upstream).sum());
            }
            for (int i = 0; i < 2; i++) {
                NDArray gradient = (i == 0 ? x : weight).getGradient();
                gradients[run][i] = gradient.toFloatArray();
                gradient.subi(gradient);
            }
        }
        assertThat(values[1]).containsExactly(values[0], within(1e-5f));
        assertThat(gradients[1][0]).containsExactly(gradients[0][0], within(1e-4f));
        assertThat(gradients[1][1]).containsExactly(gradients[0][1], within(1e-4f));
        // and it is RMSNorm: the first row by hand
        float[] row = x.get("0, 0").toFloatArray();
        double meanSquare = 0;
        for (float v : row) {
            meanSquare += v * v / 16.0;
        }
        float[] w = weight.toFloatArray();
        assertThat(values[1][5]).isCloseTo((float) (row[5] / Math.sqrt(meanSquare + 1e-6) * w[5]), within(1e-5f));
    }

    @Test
    void castsKeepTheGraphAndReachBfloat16() {
        NDArray x = manager.create(new float[] {1.5f, -2.25f, 1.00390625f});
        x.setRequiresGradient(true);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray half = fused.cast(x, DataType.FLOAT16);
            assertThat(half.getDataType()).isEqualTo(DataType.FLOAT16);
            NDArray back = fused.cast(half, DataType.FLOAT32);
            collector.backward(back.mul(manager.create(new float[] {1f, 2f, 3f})).sum());
        }
        assertThat(x.getGradient().toFloatArray()).containsExactly(1f, 2f, 3f);
        NDArray rounded = fused.cast(fused.cast(x, DataType.BFLOAT16), DataType.FLOAT32);
        // bfloat16 keeps 8 significant bits: 1.00390625 = 1 + 2^-8 rounds to 1
        assertThat(rounded.toFloatArray()).containsExactly(1.5f, -2.25f, 1f);
        assertThat(fused.cast(x, DataType.FLOAT32)).isNotSameAs(x);
    }

    @Test
    void refusedCodeNamesTheResourceAndTheLine() {
        String broken = TorchScriptArchive.resource(TorchScriptKernels.SOURCE)
                .replace("torch.repeat_interleave(k, group, 1)", "torch.no_such_op(k, group, 1)");
        assertThatThrownBy(() -> TorchScriptKernels.load(broken)).isInstanceOf(KernelsException.class)
                .hasMessageContaining("dev/dpo4j/core/kernels/kernels.py")
                .hasMessageContaining("no_such_op")
                .hasMessageContaining("line");
    }
}
