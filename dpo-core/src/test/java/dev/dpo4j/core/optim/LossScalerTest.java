package dev.dpo4j.core.optim;

import static org.assertj.core.api.Assertions.assertThat;

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
}
