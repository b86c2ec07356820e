package dev.dpo4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dpo4j.api.train.DpoMetrics;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The model card's YAML header and body, as TRL's template writes them, for a tiny run. */
class ModelCardTest {

    static final DpoMetrics TRAIN = new DpoMetrics(40, 1.0, 0.3125, 0.5, -0.25, 0.875, 0.75, -20, -30, -1, -2,
            1e-6, 1.5, 900);
    static final DpoMetrics EVAL = new DpoMetrics(40, 1.0, 0.4, 0.25, -0.125, 0.8, 0.375, -21, -29, -1, -2,
            Double.NaN, Double.NaN, Double.NaN);

    static ModelCard.Facts facts(boolean adapter, DpoMetrics eval) {
        DpoConfig config = DpoConfig.builder().outputDir(Path.of("qwen-dpo")).beta(0.25).learningRate(5e-7)
                .perDeviceTrainBatchSize(2).gradientAccumulationSteps(16).maxSteps(40).usePeft(adapter).build();
        return new ModelCard.Facts("qwen-dpo", "me/qwen-dpo", "Qwen/Qwen2.5-0.5B-Instruct",
                "HuggingFaceH4/ultrafeedback_binarized", adapter, config, 32, 40, false, TRAIN, eval);
    }

    @Test
    void headerHasTheHubsMetadata() {
        assertThat(ModelCard.header(facts(false, EVAL))).isEqualTo("""
                ---
                base_model: Qwen/Qwen2.5-0.5B-Instruct
                datasets: HuggingFaceH4/ultrafeedback_binarized
                library_name: transformers
                model_name: qwen-dpo
                pipeline_tag: text-generation
                tags:
                - generated_from_trainer
                - trl
                - dpo
                - dpo4j
                ---
                """);
        assertThat(ModelCard.header(facts(true, EVAL))).contains("library_name: peft\n")
                .endsWith("- dpo4j\n- lora\n- base_model:adapter:Qwen/Qwen2.5-0.5B-Instruct\n---\n");
    }

    @Test
    void bodySaysHowItWasTrainedWithTheFinalMetricsAndDposCitation() {
        String card = ModelCard.render(facts(false, EVAL));
        assertThat(card).contains("# Model Card for qwen-dpo\n")
                .contains("This model is a fine-tuned version of [Qwen/Qwen2.5-0.5B-Instruct]"
                        + "(https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct) on the "
                        + "[HuggingFaceH4/ultrafeedback_binarized](https://huggingface.co/datasets/"
                        + "HuggingFaceH4/ultrafeedback_binarized) dataset.")
                .contains("pipeline(\"text-generation\", model=\"me/qwen-dpo\"")
                .contains("(https://huggingface.co/papers/2305.18290), training every weight, for 40 optimizer steps.")
                .contains("| loss_type | sigmoid |\n| beta | 0.25 |\n| learning_rate | 5.0E-7 |")
                .contains("| per_device_train_batch_size | 2 |\n| gradient_accumulation_steps | 16 |\n"
                        + "| global batch (pairs per step) | 32 |")
                .contains("| metric | train | eval |\n|---|---|---|\n| loss | 0.3125 | 0.4000 |\n"
                        + "| rewards/accuracies | 0.8750 | 0.8000 |\n| rewards/margins | 0.7500 | 0.3750 |")
                .contains("@inproceedings{rafailov2023direct,\n")
                .contains("author       = {Rafael Rafailov and Archit Sharma and Eric Mitchell and Christopher D. "
                        + "Manning and Stefano Ermon and Chelsea Finn},\n")
                .endsWith("}\n```\n");
        assertThat(ModelCard.render(facts(true, null))).contains("This model is a LoRA adapter for ")
                .contains("training LoRA adapters on the frozen base (r 16, alpha 32, on ")
                .contains("| metric | train | eval |\n|---|---|---|\n| loss | 0.3125 |  |");
    }

    @Test
    void yamlQuotesWhatIsNotPlain() {
        assertThat(ModelCard.yaml("me/qwen-dpo")).isEqualTo("me/qwen-dpo");
        assertThat(ModelCard.yaml("my run: 2")).isEqualTo("\"my run: 2\"");
        assertThat(ModelCard.yaml("-x")).isEqualTo("\"-x\"");
    }
}
