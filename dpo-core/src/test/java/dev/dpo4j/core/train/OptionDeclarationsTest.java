package dev.dpo4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dpo4j.api.options.OptionDeclaration;
import dev.dpo4j.api.options.OptionRecords;
import dev.dpo4j.core.lora.LoraOptions;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Each option is declared once, on its record, and the builder, defaults and checks follow from it. */
class OptionDeclarationsTest {

    private static final Path OUT = Path.of("out");

    @Test
    void everyDeclaredOptionHasAFlatBuilderSetterOfItsName() {
        for (OptionDeclaration option : OptionRecords.flattened(DpoConfig.class)) {
            assertThat(Arrays.stream(ConfigBuilder.class.getMethods()).map(Method::getName))
                    .as(option.name()).contains(option.javaName());
        }
    }

    @Test
    void theDefaultsAreTheDeclaredOnes() {
        DpoConfig config = DpoConfig.builder().outputDir(OUT).build();
        for (OptionDeclaration option : OptionRecords.flattened(DpoConfig.class)) {
            if (!option.name().equals("output_dir")) {
                assertThat(config.byName().get(option.name())).as(option.name()).isEqualTo(option.defaultValue());
            }
        }
        assertThat(config.batching()).isEqualTo(BatchOptions.DEFAULTS);
        assertThat(config.lora()).isEqualTo(LoraOptions.DEFAULTS);
    }

    @Test
    void anyOptionIsSetByNameFromItsTextAndATypedSetterMeansTheSame() {
        DpoConfig byName = DpoConfig.builder().outputDir(OUT).option("per_device_train_batch_size", "4")
                .option("learning-rate".replace('-', '_'), "5e-7").option("lr_scheduler_type", "cosine")
                .option("max_completion_length", 64).option("lora_target_modules", "q_proj, k_proj")
                .option("report_to", "all").option("gradient_checkpointing", "auto").build();
        DpoConfig typed = DpoConfig.builder().outputDir(OUT).perDeviceTrainBatchSize(4).learningRate(5e-7)
                .lrSchedulerType(dev.dpo4j.core.optim.LearningRateSchedule.Type.COSINE).maxTargetLength(64)
                .loraTargetModules(java.util.List.of("q_proj", "k_proj")).reportTo(java.util.List.of("all"))
                .gradientCheckpointing(null).build();
        assertThat(byName).isEqualTo(typed);
    }

    @Test
    void aBadValueNamesItsOption() {
        assertThatThrownBy(() -> DpoConfig.builder().outputDir(OUT).option("per_device_train_batch_size", "0")
                .option("adam_epsilon", 0.0).option("seed", "many").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("per_device_train_batch_size must be at least 1, got 0")
                .hasMessageContaining("adam_epsilon must be positive, got 0.0")
                .hasMessageContaining("seed must be a number, got 'many'");
        assertThatThrownBy(() -> DpoConfig.builder().option("learnin_rate", 1))
                .hasMessage("unknown option 'learnin_rate'");
    }

    @Test
    void withChangesOneOptionAndChecksIt() {
        assertThat(LoraOptions.enabled().with(LoraOptions::loraR, 8).loraR()).isEqualTo(8);
        assertThatThrownBy(() -> LoraOptions.enabled().with(LoraOptions::loraAlpha, 0))
                .hasMessage("lora_alpha must be at least 1, got 0");
    }
}
