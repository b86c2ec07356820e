package dev.dpo4j.core.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.dpo4j.api.loss.LossMath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The helpers custom losses are written with (they live in dpo-api, which has no engine to test them on). */
class LossMathTest {

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
    void elementWiseHelpers() {
        NDArray x = manager.create(new float[] {-2, 0, 3});
        assertThat(LossMath.scale(x, 0.5).toFloatArray()).containsExactly(-1, 0, 1.5f);
        assertThat(LossMath.shift(x, -1).toFloatArray()).containsExactly(-3, -1, 2);
        assertThat(LossMath.minimum(x, 1).toFloatArray()).containsExactly(-2, 0, 1);
        assertThat(LossMath.maximum(x, -1).toFloatArray()).containsExactly(-1, 0, 3);
        assertThat(LossMath.relu(x).toFloatArray()).containsExactly(0, 0, 3);
        assertThat(LossMath.sigmoid(x).toFloatArray()).containsExactly(new float[] {
            (float) (1 / (1 + Math.exp(2))), 0.5f, (float) (1 / (1 + Math.exp(-3)))}, within(1e-7f));
        assertThat(LossMath.logSigmoid(x).toFloatArray()).containsExactly(new float[] {
            (float) -Math.log1p(Math.exp(2)), (float) -Math.log(2), (float) -Math.log1p(Math.exp(-3))},
                within(1e-6f));
    }

    @Test
    void gradientsFlowThroughTheScalars() {
        NDArray x = manager.create(new float[] {1, 2});
        x.setRequiresGradient(true);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.backward(LossMath.shift(LossMath.scale(x.square(), 1.5), 7).sum());
        }
        assertThat(x.getGradient().toFloatArray()).containsExactly(3, 6);
    }

    @Test
    void rewardsAreBetaTimesTheDetachedLogRatio() {
        NDArray policy = manager.create(new float[] {-1, -3});
        policy.setRequiresGradient(true);
        NDArray reference = manager.create(new float[] {-2, -2});
        NDArray rewards = LossMath.rewards(policy, reference, 0.1);
        assertThat(rewards.toFloatArray()).containsExactly(new float[] {0.1f, -0.1f}, within(1e-7f));
        assertThat(rewards.hasGradient()).isFalse();
        assertThat(LossMath.rewards(policy, null, 0.5).toFloatArray()).containsExactly(-0.5f, -1.5f);
    }
}
