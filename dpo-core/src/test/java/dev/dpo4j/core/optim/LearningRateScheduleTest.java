package dev.dpo4j.core.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {

    @Test
    void linearWarmsUpFromZeroThenDecaysToZero() {
        var schedule = new LearningRateSchedule(LearningRateSchedule.Type.LINEAR, 1e-3, 2, 10);
        assertThat(schedule.rate(0)).isEqualTo(0.0);
        assertThat(schedule.rate(1)).isCloseTo(5e-4, within(1e-12));
        assertThat(schedule.rate(2)).isCloseTo(1e-3, within(1e-12));
        assertThat(schedule.rate(6)).isCloseTo(5e-4, within(1e-12)); // (10 - 6) / (10 - 2)
        assertThat(schedule.rate(10)).isEqualTo(0.0);
    }

    @Test
    void cosineIsHalfWayAtTheMiddle() {
        var schedule = new LearningRateSchedule(LearningRateSchedule.Type.COSINE, 1e-3, 0, 10);
        assertThat(schedule.rate(0)).isCloseTo(1e-3, within(1e-12));
        assertThat(schedule.rate(5)).isCloseTo(5e-4, within(1e-12));
        assertThat(schedule.rate(10)).isCloseTo(0, within(1e-12));
    }

    @Test
    void constantKeepsThePeakAfterWarmup() {
        var schedule = new LearningRateSchedule(LearningRateSchedule.Type.CONSTANT, 1e-3, 4, 10);
        assertThat(schedule.rate(2)).isCloseTo(5e-4, within(1e-12));
        assertThat(schedule.rate(9)).isEqualTo(1e-3);
    }

    @Test
    void parsesNamesAsTransformersWritesThem() {
        assertThat(LearningRateSchedule.Type.parse("constant_with_warmup"))
                .isEqualTo(LearningRateSchedule.Type.CONSTANT);
        assertThatThrownBy(() -> LearningRateSchedule.Type.parse("polynomial"))
                .hasMessageContaining("lr_scheduler_type must be linear, cosine or constant");
    }
}
