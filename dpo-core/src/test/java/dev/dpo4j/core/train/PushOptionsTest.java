package dev.dpo4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** push_to_hub and the hub_* options: transformers' defaults, errors naming the option, a token never shown. */
class PushOptionsTest {

    @Test
    void defaultsAreTransformers() {
        PushOptions push = DpoConfig.builder().outputDir(Path.of("out")).build().push();
        assertThat(push).isEqualTo(PushOptions.DEFAULTS);
        assertThat(push.pushToHub()).isFalse();
        assertThat(push.hubStrategy()).isEqualTo(HubStrategy.EVERY_SAVE);
        assertThat(push.hubPrivateRepo()).isFalse();
        assertThat(push.hubModelId()).isNull();
        assertThat(push.repoId(Path.of("runs", "qwen-dpo"))).as("the output folder's name").isEqualTo("qwen-dpo");
    }

    @Test
    void optionsAreSetByNameAsTyped() {
        DpoConfig config = DpoConfig.builder().outputDir(Path.of("out")).option("push_to_hub", "true")
                .option("hub_model_id", "me/qwen-dpo").option("hub_private_repo", "true")
                .option("hub_strategy", "end").option("hub_token", "hf_secret").build();
        assertThat(config.push()).isEqualTo(new PushOptions(true, "me/qwen-dpo", true, HubStrategy.END,
                "hf_secret"));
        assertThat(config.push().repoId(Path.of("out"))).isEqualTo("me/qwen-dpo");
        assertThat(config.toString()).contains("hubToken=set").doesNotContain("hf_secret");
        assertThat(config.byName()).containsEntry("hub_strategy", HubStrategy.END);
    }

    @Test
    void badValuesNameTheirOption() {
        assertThatThrownBy(() -> DpoConfig.builder().outputDir(Path.of("out")).hubModelId("me/qwen dpo").build())
                .hasMessageContaining("hub_model_id must be a Hub model id, org/name or name")
                .hasMessageContaining("'me/qwen dpo'");
        assertThatThrownBy(() -> DpoConfig.builder().outputDir(Path.of("out")).option("hub_strategy", "checkpoint")
                .build()).hasMessageContaining("hub_strategy").hasMessageContaining("every_save");
        assertThatThrownBy(() -> DpoConfig.builder().outputDir(Path.of("my run")).pushToHub(true).build())
                .hasMessageContaining("push_to_hub pushes to the output folder's name, but 'my run' is no Hub model "
                        + "id: set hub_model_id");
        assertThat(DpoConfig.builder().outputDir(Path.of("my run")).pushToHub(true).hubModelId("me/run").build()
                .push().repoId(Path.of("my run"))).isEqualTo("me/run");
    }
}
