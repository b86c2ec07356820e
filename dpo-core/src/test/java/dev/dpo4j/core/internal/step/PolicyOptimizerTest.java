package dev.dpo4j.core.internal.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.internal.placement.FlatRuns;
import dev.dpo4j.core.internal.placement.OnFirstDevice;
import dev.dpo4j.core.kernels.Kernels;
import dev.dpo4j.core.model.Weights;
import dev.dpo4j.core.optim.AdamW;
import dev.dpo4j.core.optim.LossScaler;
import dev.dpo4j.core.placement.DeviceWeights;
import dev.dpo4j.core.placement.StatePlacement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The optimizer's step: unscaling, clipping, skipping, the loss scale, and the call order. */
class PolicyOptimizerTest {

    private NDManager manager;
    private NDArray weight;
    private AdamW adamW;
    private StatePlacement placement;
    private FakeWorker worker;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
        weight = manager.create(new float[] {1, 1});
        Map<String, NDArray> parameters = new LinkedHashMap<>();
        parameters.put("w", weight);
        // eps 1 and lr 1 make the first update g / (|g| + 1): it shows the gradient's size, which Adam hides
        adamW = new AdamW(manager, parameters, 0.9, 0.999, 1.0, 0);
        placement = new OnFirstDevice(adamW, parameters, List.of(), DataType.FLOAT32, Kernels.djl(), manager,
                FlatRuns.RUN_ELEMENTS);
        worker = new FakeWorker(adamW.gradients().get("w"));
    }

    @AfterEach
    void tearDown() {
        placement.close();
        manager.close();
    }

    @Test
    void clipsTheGlobalNormAndReportsItUnclipped() {
        PolicyOptimizer optimizer = new PolicyOptimizer(placement, 1.0, new LossScaler(false, 2000), List.of(worker));
        worker.next = new float[] {3, 4};
        try (PolicyOptimizer.Step step = optimizer.begin()) {
            step.accumulate(List.of(worker));
            assertThat(step.apply(1.0, 1)).isCloseTo(5.0, within(1e-6));
        }
        // clipped to norm 1: g = (0.6, 0.8), so w = 1 - g / (g + 1)
        assertThat(weight.toFloatArray()).containsExactly(new float[] {1 - 0.6f / 1.6f, 1 - 0.8f / 1.8f},
                within(1e-5f));
        // workers take the new weights as late as possible: at the next step or evaluation, once
        assertThat(worker.refreshes).isZero();
        optimizer.publish();
        optimizer.publish();
        optimizer.begin().close();
        assertThat(worker.refreshes).isEqualTo(1);
    }

    @Test
    void withoutAThresholdTheGradientIsUsedAsItIs() {
        PolicyOptimizer optimizer = new PolicyOptimizer(placement, 0, new LossScaler(false, 2000), List.of(worker));
        worker.next = new float[] {3, 4};
        try (PolicyOptimizer.Step step = optimizer.begin()) {
            step.accumulate(List.of(worker));
            step.apply(1.0, 1);
        }
        assertThat(weight.toFloatArray()).containsExactly(new float[] {1 - 3f / 4f, 1 - 4f / 5f}, within(1e-5f));
    }

    @Test
    void unscalesFloat16GradientsAndSkipsAnOverflowedStep() {
        LossScaler scaler = new LossScaler(true, 2);
        PolicyOptimizer optimizer = new PolicyOptimizer(placement, 0, scaler, List.of(worker));
        try (PolicyOptimizer.Step step = optimizer.begin()) {
            assertThat(step.lossFactor(0.5)).isEqualTo(0.5 * 65536);
            worker.next = new float[] {3 * 65536f, 4 * 65536f};
            step.accumulate(List.of(worker));
            assertThat(step.apply(1.0, 1)).isCloseTo(5.0, within(1e-6));
        }
        assertThat(weight.toFloatArray()).containsExactly(new float[] {1 - 3f / 4f, 1 - 4f / 5f}, within(1e-5f));
        float[] before = weight.toFloatArray();

        try (PolicyOptimizer.Step step = optimizer.begin()) {
            worker.next = new float[] {Float.POSITIVE_INFINITY, 1};
            step.accumulate(List.of(worker));
            assertThat(step.apply(1.0, 2)).isInfinite();
        }
        assertThat(weight.toFloatArray()).containsExactly(before);
        assertThat(adamW.gradients().get("w").toFloatArray()).containsOnly(0f);
        assertThat(scaler.scale()).isEqualTo(32768.0);
        assertThat(adamW.steps()).isEqualTo(1);
        assertThat(worker.refreshes).isEqualTo(1); // at the second begin()
    }

    @Test
    void theStepEnforcesItsOrder() {
        PolicyOptimizer optimizer = new PolicyOptimizer(placement, 1.0, new LossScaler(false, 2000), List.of(worker));
        PolicyOptimizer.Step step = optimizer.begin();
        assertThatThrownBy(optimizer::begin).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already open");
        worker.next = new float[] {1, 1};
        step.accumulate(List.of(worker));
        step.apply(0.1, 1);
        assertThatThrownBy(() -> step.accumulate(List.of(worker))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("applied");
        assertThatThrownBy(() -> step.apply(0.1, 1)).isInstanceOf(IllegalStateException.class);
        step.close();
        assertThatThrownBy(() -> step.apply(0.1, 1)).hasMessageContaining("closed");
    }

    @Test
    void aStepClosedWithoutApplyDropsItsGradients() {
        PolicyOptimizer optimizer = new PolicyOptimizer(placement, 1.0, new LossScaler(false, 2000), List.of(worker));
        try (PolicyOptimizer.Step step = optimizer.begin()) {
            worker.next = new float[] {2, 2};
            step.accumulate(List.of(worker));
        }
        assertThat(adamW.gradients().get("w").toFloatArray()).containsOnly(0f);
        assertThat(weight.toFloatArray()).containsOnly(1f);
        optimizer.begin().close(); // a new step can open
    }

    /** A worker whose next drain adds a given gradient. */
    private static final class FakeWorker implements DeviceWeights {
        private final NDArray gradient;
        float[] next;
        int refreshes;

        FakeWorker(NDArray gradient) {
            this.gradient = gradient;
        }

        @Override
        public Weights view() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void refresh() {
            refreshes++;
        }

        @Override
        public void drainGradients() {
            try (NDManager scratch = gradient.getManager().newSubManager()) {
                gradient.addi(scratch.create(next));
            }
        }

        @Override
        public void close() {
        }
    }
}
