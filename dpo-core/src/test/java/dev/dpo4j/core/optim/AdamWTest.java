package dev.dpo4j.core.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dpo4j.core.kernels.Kernels;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdamWTest {

    @Test
    void twoStepsMatchTorchAdamWByHand() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> parameters = weightAndBias(manager);
            NDArray weight = parameters.get("w.weight");
            NDArray bias = parameters.get("w.bias");
            AdamW adam = new AdamW(manager, parameters, 0.9, 0.999, 1e-8, 0.1);
            // the parameters keep their values and objects, now views of the flat buffers
            assertThat(weight.toFloatArray()).containsExactly(1f, -2f);
            adam.gradients().get("w.weight").addi(manager.create(new float[] {0.5f, -1f}));
            adam.gradients().get("w.bias").addi(manager.create(new float[] {2f}));
            assertThat(adam.squaredGradientNorm()).isCloseTo(0.25 + 1 + 4, within(1e-6));
            adam.step(0.01, 0, 1.0);
            // step 1: m_hat = g, v_hat = g^2, so the update is lr * sign(g); decay lr * wd * w first (not biases)
            assertThat(weight.toFloatArray()).containsExactly(new float[] {1f - 0.001f - 0.01f, -2f + 0.002f + 0.01f},
                    within(1e-6f));
            assertThat(bias.toFloatArray()).containsExactly(new float[] {0.49f}, within(1e-6f));
            assertThat(adam.squaredGradientNorm()).isZero(); // the step cleared the gradients
            adam.gradients().get("w.weight").addi(manager.create(new float[] {0.25f, 0f}));
            adam.gradients().get("w.bias").addi(manager.create(new float[] {1f}));
            adam.step(0.01, 0, 2.0);
            // step 2, the gradients carrying a loss scale of 2: g = (0.125, 0); m = 0.9 m1 + 0.1 g; v = 0.999 v1 + 0.001 g^2
            double m = 0.9 * 0.05 + 0.1 * 0.125;
            double v = 0.999 * 0.00025 + 0.001 * 0.125 * 0.125;
            double mHat = m / (1 - 0.81);
            double vHat = v / (1 - 0.999 * 0.999);
            double w1 = 1 - 0.001 - 0.01;
            double expected = w1 - 0.01 * 0.1 * w1 - 0.01 * mHat / (Math.sqrt(vHat) + 1e-8);
            assertThat(weight.getFloat(0)).isCloseTo((float) expected, within(1e-6f));
            assertThat(adam.steps()).isEqualTo(2);
            assertThat(adam.state()).containsKeys("exp_avg.w.weight", "exp_avg_sq.w.bias");
            assertThat(adam.state().get("exp_avg.w.weight").getFloat(0)).isCloseTo((float) m, within(1e-7f));
        }
    }

    @Test
    void restoreRefusesAMissingUnexpectedOrMisshapenMomentBeforeCopyingAny() {
        try (NDManager manager = NDManager.newBaseManager()) {
            AdamW adam = new AdamW(manager, weightAndBias(manager), 0.9, 0.999, 1e-8, 0.1);
            Map<String, NDArray> saved = new java.util.LinkedHashMap<>();
            adam.state().forEach((key, moment) -> saved.put(key, moment.onesLike()));
            Map<String, NDArray> lacking = new java.util.LinkedHashMap<>(saved);
            lacking.remove("exp_avg_sq.w.bias");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> adam.restore(lacking, 3))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("optimizer state key 'exp_avg_sq.w.bias' is missing");
            assertThat(adam.state().get("exp_avg.w.weight").toFloatArray()).containsOnly(0f);
            Map<String, NDArray> misshapen = new java.util.LinkedHashMap<>(saved);
            misshapen.put("exp_avg.w.weight", manager.ones(new ai.djl.ndarray.types.Shape(1, 2)));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> adam.restore(misshapen, 3))
                    .hasMessage("optimizer state key 'exp_avg.w.weight' has shape (1, 2) where its weight's is (2)");
            Map<String, NDArray> extra = new java.util.LinkedHashMap<>(saved);
            extra.put("exp_avg.other", manager.ones(new ai.djl.ndarray.types.Shape(1)));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> adam.restore(extra, 3))
                    .hasMessage("unexpected optimizer state key 'exp_avg.other'");
            assertThat(adam.steps()).isZero();
            adam.restore(saved, 3);
            assertThat(adam.steps()).isEqualTo(3);
            assertThat(adam.state().get("exp_avg_sq.w.bias").toFloatArray()).containsOnly(1f);
        }
    }

    /** The clip factor, the unscaling and the overflow check on the device, on both kernels. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"djl", "torchscript"})
    void aCheckedStepClipsUnscalesAndSkipsGradientsThatAreNotFinite(String kernels) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> parameters = weightAndBias(manager);
            NDArray weight = parameters.get("w.weight");
            NDArray bias = parameters.get("w.bias");
            AdamW adam = new AdamW(manager, parameters, 0.9, 0.999, 1e-8, 0.1, Kernels.named(kernels));
            // gradients (0.5, -1) and (2) carrying a loss scale of 4
            adam.gradients().get("w.weight").addi(manager.create(new float[] {2f, -4f}));
            adam.gradients().get("w.bias").addi(manager.create(new float[] {8f}));
            double norm = adam.step(0.01, 1.0, 4.0);
            assertThat(norm).isCloseTo(Math.sqrt(0.25 + 1 + 4), within(1e-5));
            // step 1 moves each weight by lr * sign(g) whatever the factor; the first moment shows it: 0.1 g clip
            double clip = 1 / (norm + 1e-6);
            assertThat(adam.state().get("exp_avg.w.weight").toFloatArray())
                    .containsExactly(new float[] {(float) (0.1 * 0.5 * clip), (float) (-0.1 * clip)}, within(1e-7f));
            assertThat(weight.toFloatArray()).containsExactly(new float[] {1f - 0.001f - 0.01f, -2f + 0.002f + 0.01f},
                    within(1e-6f));
            assertThat(adam.steps()).isEqualTo(1);
            assertThat(adam.squaredGradientNorm()).isZero();

            // an inf gradient: nothing moves, the step does not count, the gradients are cleared
            float[] weightBefore = weight.toFloatArray();
            float[] meanBefore = adam.state().get("exp_avg.w.bias").toFloatArray();
            adam.gradients().get("w.weight").addi(manager.create(new float[] {Float.POSITIVE_INFINITY, 1f}));
            assertThat(adam.step(0.01, 1.0, 4.0)).isInfinite();
            assertThat(weight.toFloatArray()).containsExactly(weightBefore);
            assertThat(adam.state().get("exp_avg.w.bias").toFloatArray()).containsExactly(meanBefore);
            assertThat(adam.steps()).isEqualTo(1);
            assertThat(adam.squaredGradientNorm()).isZero();

            // no clip: a small gradient goes in as it is
            adam.gradients().get("w.bias").addi(manager.create(new float[] {0.4f}));
            assertThat(adam.step(0.01, 0, 1.0)).isCloseTo(0.4, within(1e-6));
            assertThat(adam.state().get("exp_avg.w.bias").getFloat(0)).isCloseTo(0.9f * meanBefore[0] + 0.04f,
                    within(1e-6f));
            assertThat(adam.steps()).isEqualTo(2);
        }
    }

    /** {@code w.weight = (1, -2)} and {@code w.bias = (0.5)}. */
    private static Map<String, NDArray> weightAndBias(NDManager manager) {
        Map<String, NDArray> parameters = new java.util.LinkedHashMap<>();
        parameters.put("w.weight", manager.create(new float[] {1f, -2f}));
        parameters.put("w.bias", manager.create(new float[] {0.5f}));
        return parameters;
    }

    @Test
    void weightDecayShrinksByThisStepsLearningRateTimesTheDecay() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray weight = manager.create(new float[] {2f, -4f});
            NDArray norm = manager.create(new float[] {3f});
            Map<String, NDArray> parameters = new java.util.LinkedHashMap<>();
            parameters.put("layer.weight", weight);
            parameters.put("layer.norm.weight", norm);
            AdamW adam = new AdamW(manager, parameters, 0.9, 0.999, 1e-8, 0.5);
            // zero gradients: the moments stay 0, so the Adam term is 0 and only the decoupled decay moves the
            // weights, w <- w (1 - lr wd); an L2 penalty folded into the gradient would move them by about lr instead
            adam.step(0.1, 0, 1.0);
            assertThat(weight.toFloatArray()).containsExactly(new float[] {2f * 0.95f, -4f * 0.95f}, within(1e-6f));
            // the next step decays with its own rate (0.2), not the first one; the loss scale does not touch it
            adam.step(0.2, 0, 4.0);
            assertThat(weight.toFloatArray()).containsExactly(
                    new float[] {2f * 0.95f * 0.9f, -4f * 0.95f * 0.9f}, within(1e-6f));
            // norm weights are never decayed
            assertThat(norm.toFloatArray()).containsExactly(3f);
            // a rate of 0 leaves the weights alone
            adam.step(0, 0, 1.0);
            assertThat(weight.getFloat(0)).isCloseTo(2f * 0.95f * 0.9f, within(1e-6f));
        }
    }

    @Test
    void withoutWeightDecayZeroGradientsLeaveTheWeights() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray weight = manager.create(new float[] {2f, -4f});
            Map<String, NDArray> parameters = new java.util.LinkedHashMap<>();
            parameters.put("layer.weight", weight);
            AdamW adam = new AdamW(manager, parameters, 0.9, 0.999, 1e-8, 0);
            adam.step(0.1, 0, 1.0);
            adam.step(0.1, 0, 1.0);
            assertThat(weight.toFloatArray()).containsExactly(2f, -4f);
        }
    }

    @Test
    void slicedUpdatesEqualOneWholeUpdate() {
        try (NDManager manager = NDManager.newBaseManager()) {
            float[][] results = new float[2][];
            long[] slices = {Kernels.UPDATE_SLICE, 7};
            for (int run = 0; run < 2; run++) {
                Map<String, NDArray> parameters = new java.util.LinkedHashMap<>();
                parameters.put("a.weight", manager.arange(0f, 30f).reshape(5, 6).div(10));
                parameters.put("a.bias", manager.arange(0f, 5f));
                parameters.put("b.weight", manager.arange(0f, 12f).reshape(3, 4).neg());
                AdamW adam = new AdamW(manager, parameters, 0.9, 0.999, 1e-8, 0.1,
                        Kernels.djl(Kernels.MAX_SCORE_ELEMENTS, slices[run]));
                for (int step = 1; step <= 3; step++) {
                    for (Map.Entry<String, NDArray> gradient : adam.gradients().entrySet()) {
                        gradient.getValue().addi(parameters.get(gradient.getKey()).sin().mul(step));
                    }
                    adam.step(0.01, 0, 2.0);
                }
                results[run] = ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(parameters.values().stream()
                        .map(NDArray::flatten).toArray(NDArray[]::new))).toFloatArray();
                adam.close();
            }
            assertThat(results[1]).containsExactly(results[0], within(1e-6f));
        }
    }

    @Test
    void decaysMatricesButNotBiasesOrNorms() {
        assertThat(AdamW.decays("model.layers.0.mlp.up_proj.weight")).isTrue();
        assertThat(AdamW.decays("model.layers.0.self_attn.q_proj.bias")).isFalse();
        assertThat(AdamW.decays("model.layers.0.input_layernorm.weight")).isFalse();
        assertThat(AdamW.decays("model.norm.weight")).isFalse();
    }
}
