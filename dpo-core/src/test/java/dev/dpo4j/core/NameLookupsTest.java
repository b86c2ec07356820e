package dev.dpo4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dpo4j.core.checkpoint.SaveDtype;
import dev.dpo4j.core.loss.FDivergence;
import dev.dpo4j.core.loss.Losses;
import dev.dpo4j.core.optim.LearningRateSchedule;
import dev.dpo4j.core.train.SaveStrategy;
import org.junit.jupiter.api.Test;

/** Every named option of the core follows the one spelling rule of {@code dev.dpo4j.api.Names}. */
class NameLookupsTest {

    @Test
    void spellingsOfTheRuleSelectTheSameChoice() {
        assertThat(LearningRateSchedule.Type.parse("Cosine-With-Warmup")).isEqualTo(LearningRateSchedule.Type.COSINE);
        assertThat(LearningRateSchedule.Type.parse(" LINEAR ")).isEqualTo(LearningRateSchedule.Type.LINEAR);
        assertThat(SaveStrategy.parse(" Steps ")).isEqualTo(SaveStrategy.STEPS);
        assertThat(SaveDtype.parse("BFloat16")).isEqualTo(SaveDtype.BFLOAT16);
        assertThat(FDivergence.parse("js-divergence")).isEqualTo(FDivergence.JS_DIVERGENCE);
        assertThat(Losses.byName("Sigmoid-Norm", 0.1, 0, 0).name()).isEqualTo("sigmoid_norm");
        assertThat(Losses.byName(" apo_zero,SFT", null, dev.dpo4j.core.loss.LossOptions.of(0.1)).name())
                .isEqualTo("apo_zero + sft");
    }

    @Test
    void unknownNamesNameTheOptionAndListTheChoices() {
        assertThatThrownBy(() -> SaveStrategy.parse("best")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("save_strategy must be no, epoch or steps, got 'best'");
        assertThatThrownBy(() -> SaveDtype.parse("int8"))
                .hasMessage("save_dtype must be auto, float32, float16 or bfloat16, got 'int8'");
        assertThatThrownBy(() -> LearningRateSchedule.Type.parse("polynomial"))
                .hasMessage("lr_scheduler_type must be linear, cosine or constant, got 'polynomial'");
        assertThatThrownBy(() -> Losses.byName("sigmoid,kto", null, dev.dpo4j.core.loss.LossOptions.of(0.1)))
                .hasMessageStartingWith("unknown loss_type 'kto'; built in: sigmoid, robust, hinge, ipo, simpo")
                .hasMessageEndingWith(", discopop or sft");
    }
}
