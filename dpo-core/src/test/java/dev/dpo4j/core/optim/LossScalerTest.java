package dev.dpo4j.core.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Dynamic loss scaling as {@code torch.amp.GradScaler}: start at 2^16, halve on overflow, double when clean. */
class LossScalerTest {

    @Test
    void growsAfterTheIntervalOfCleanStepsAndBacksOffOnOverflow() {
        LossScaler scaler = new LossScaler(true, 3);
        assertThat(scaler.scale()).isEqualTo(65536.0);
        scaler.update(true);
        scaler.update(true);
        assertThat(scaler.scale()).isEqualTo(65536.0);
        scaler.update(true);
        assertThat(scaler.scale()).isEqualTo(131072.0);
        scaler.update(true);
        scaler.update(false);
        assertThat(scaler.scale()).isEqualTo(65536.0);
        // an overflow restarts the count of clean steps
        scaler.update(true);
        scaler.update(true);
        assertThat(scaler.scale()).isEqualTo(65536.0);
        scaler.update(true);
        assertThat(scaler.scale()).isEqualTo(131072.0);
    }

    @Test
    void float32KeepsAScaleOfOne() {
        LossScaler scaler = new LossScaler(false, 1);
        scaler.update(false);
        scaler.update(true);
        assertThat(scaler.scale()).isEqualTo(1.0);
    }

    @Test
    void aRestoredScalerContinuesAsTheOneItWasSavedFrom() {
        LossScaler saved = new LossScaler(true, 3);
        saved.update(false);
        saved.update(true);
        LossScaler restored = new LossScaler(true, 3);
        restored.restore(saved.state());
        assertThat(restored.state()).isEqualTo(new LossScaler.State(32768, 1));
        saved.update(true);
        saved.update(true);
        restored.update(true);
        restored.update(true);
        assertThat(restored.scale()).isEqualTo(saved.scale()).isEqualTo(65536);
        LossScaler off = new LossScaler(false, 3);
        off.restore(new LossScaler.State(1024, 0));
        assertThat(off.scale()).isEqualTo(1);
        assertThatThrownBy(() -> restored.restore(new LossScaler.State(Double.NaN, 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("loss scale NaN");
    }
}
