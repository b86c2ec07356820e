package dev.dpo4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.checkpoint.SaveDtype;
import dev.dpo4j.core.kernels.Kernels;
import dev.dpo4j.core.lora.LoraOptions;
import dev.dpo4j.core.loss.FDivergence;
import dev.dpo4j.core.loss.LossConfig;
import dev.dpo4j.core.loss.LossOptions;
import dev.dpo4j.core.optim.LearningRateSchedule;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The options: grouped records with their defaults, one error listing every problem, TRL's names. */
class DpoConfigTest {

    private static final Path OUT = Path.of("out");

    @Test
    void defaultsAreTheRecordsDefaults() {
        DpoConfig config = DpoConfig.builder().outputDir(OUT).build();
        assertThat(config.loss()).isEqualTo(LossConfig.DEFAULTS);
        assertThat(config.optimizer()).isEqualTo(OptimizerOptions.DEFAULTS);
        assertThat(config.batching()).isEqualTo(BatchOptions.DEFAULTS);
        assertThat(config.saving()).isEqualTo(SaveOptions.DEFAULTS);
        assertThat(config.reference()).isEqualTo(ReferenceOptions.DEFAULTS);
        assertThat(config.reporting()).isEqualTo(ReportOptions.DEFAULTS);
        assertThat(config.reporting().reportTo()).containsExactly(Reporter.JSONL);
        // TRL's values, spelled out once here as the check
        assertThat(config.loss().options().beta()).isEqualTo(0.1);
        assertThat(config.optimizer().learningRate()).isEqualTo(1e-6);
        assertThat(config.batching().maxLength()).isEqualTo(1024);
        assertThat(config.loggingSteps()).isEqualTo(10);
        assertThat(config.seed()).isEqualTo(42);
    }

    @Test
    void everyOptionIsListedUnderItsSnakeCaseName() {
        Map<String, Object> byName = DpoConfig.builder().outputDir(OUT).lossWeights(List.of(1.0)).build().byName();
        assertThat(byName).containsEntry("output_dir", OUT).containsEntry("beta", 0.1)
                .containsEntry("loss_type", "sigmoid").containsEntry("loss_weights", List.of(1.0))
                .containsEntry("f_divergence_type", FDivergence.REVERSE_KL).containsEntry("f_alpha_divergence_coef", 1.0)
                .containsEntry("learning_rate", 1e-6).containsEntry("lr_scheduler_type", LearningRateSchedule.Type.LINEAR)
                .containsEntry("adam_beta1", 0.9).containsEntry("per_device_train_batch_size", 8)
                .containsEntry("save_dtype", SaveDtype.AUTO).containsEntry("ref_model_sync_steps", 512L)
                .containsEntry("fp16", false).containsEntry("num_train_epochs", 1)
                .containsEntry("save_total_limit", 0)
                .containsEntry("report_to", List.of(Reporter.JSONL))
                .containsEntry("kernels", "auto").containsEntry("bf16", null)
                .containsEntry("use_peft", false).containsEntry("lora_r", 16).containsEntry("lora_alpha", 32)
                .containsEntry("lora_dropout", 0.05).containsEntry("lora_target_modules", List.of("q_proj", "v_proj"))
                .containsEntry("use_rslora", false).containsEntry("merge_adapters", false)
                .containsEntry("disable_dropout", true).containsEntry("offload_optimizer", false)
                .containsEntry("zero_stage", 1).containsEntry("ddp_timeout", 1800L)
                .containsEntry("use_weighting", false).containsEntry("ld_alpha", null)
                .containsEntry("precompute_ref_batch_size", 0).containsEntry("ref_logps_cache_dir", null)
                .containsEntry("push_to_hub", false).containsEntry("hub_strategy", HubStrategy.EVERY_SAVE)
                .containsEntry("hub_model_id", null).containsEntry("hub_token", null);
        assertThat(byName).hasSize(67).doesNotContainKeys("options", "loss", "optimizer", "batching");
        assertThat(byName.keySet()).allMatch(name -> name.matches("[a-z0-9_]+"));
    }

    @Test
    void bf16ExcludesFp16AndKernelsAreNamedChoices() {
        assertThatThrownBy(() -> DpoConfig.builder().outputDir(OUT).fp16(true).bf16(true).build())
                .hasMessageContaining("fp16 and bf16");
        assertThatThrownBy(() -> DpoConfig.builder().outputDir(OUT).kernels("flash").build())
                .hasMessageContaining("kernels must be auto, torchscript, djl, got 'flash'");
        assertThat(DpoConfig.builder().outputDir(OUT).kernels("TorchScript").build().compute().kernels())
                .isEqualTo("TorchScript");
    }

    @Test
    void bfloat16IsTheDefaultOnlyWhereItPays() {
        List<Device> cpu = List.of(Device.cpu());
        ComputeOptions auto = ComputeOptions.DEFAULTS;
        assertThat(auto.computeType(false, Kernels.torchScript(), cpu)).isEqualTo(DataType.FLOAT32);
        assertThat(auto.computeType(true, Kernels.torchScript(), cpu)).isEqualTo(DataType.FLOAT16);
        ComputeOptions asked = new ComputeOptions(true, "auto", 1800);
        assertThat(asked.computeType(false, Kernels.torchScript(), cpu)).isEqualTo(DataType.BFLOAT16);
        assertThatThrownBy(() -> asked.computeType(false, Kernels.djl(), cpu))
                .hasMessageContaining("bf16 needs the TorchScript kernels");
        assertThat(new ComputeOptions(false, "auto", 1800).computeType(false, Kernels.torchScript(), cpu))
                .isEqualTo(DataType.FLOAT32);
    }

    @Test
    void wpoAndLdDpoAreOffByDefaultAndCheckedNamingTheirOptions() {
        LossConfig defaults = DpoConfig.builder().outputDir(OUT).build().loss();
        assertThat(defaults.useWeighting()).isFalse();
        assertThat(defaults.ldAlpha()).isNull();
        LossConfig set = DpoConfig.builder().outputDir(OUT).useWeighting(true).ldAlpha(0.0).build().loss();
        assertThat(set.useWeighting()).isTrue();
        assertThat(set.ldAlpha()).isEqualTo(0.0);
        assertThat(DpoConfig.builder().outputDir(OUT).ldAlpha(1.0).build().byName()).containsEntry("ld_alpha", 1.0)
                .containsEntry("use_weighting", false);
        assertThatThrownBy(() -> DpoConfig.builder().outputDir(OUT).ldAlpha(1.5).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ld_alpha must be in [0, 1], got 1.5");
        assertThatThrownBy(() -> DpoConfig.builder().outputDir(OUT).ldAlpha(-0.1).build())
                .hasMessageContaining("ld_alpha must be in [0, 1], got -0.1");
        // TRL refuses WPO's weights with the losses that sort the pairs
        assertThatThrownBy(() -> DpoConfig.builder().outputDir(OUT).useWeighting(true).lossType("sigmoid,aot_unpaired")
                .build())
                .hasMessageContaining("use_weighting is not implemented for loss_type aot or aot_unpaired");
        assertThat(DpoConfig.builder().outputDir(OUT).lossType("aot").build().loss().useWeighting()).isFalse();
    }

    @Test
    void oneErrorListsTheProblemsOfEveryGroup() {
        assertThatThrownBy(() -> DpoConfig.builder().beta(0).learningRate(-1).perDeviceTrainBatchSize(0)
                .saveStrategy(SaveStrategy.STEPS).saveSteps(0).refModelMixupAlpha(2).loggingSteps(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid DPO options: ")
                .hasMessageContaining("beta must be positive, got 0.0")
                .hasMessageContaining("learning_rate must not be negative, got -1.0")
                .hasMessageContaining("per_device_train_batch_size must be at least 1, got 0")
                .hasMessageContaining("save_steps must be at least 1 with save_strategy steps, got 0")
                .hasMessageContaining("ref_model_mixup_alpha must be in [0, 1], got 2.0")
                .hasMessageContaining("logging_steps must be at least 1, got 0")
                .hasMessageContaining("output_dir is required");
    }

    @Test
    void aConfigCopiesIntoABuilderWhole() {
        DpoConfig config = DpoConfig.builder().outputDir(OUT).beta(0.3).lossType("ipo").rpoAlpha(0.5)
                .learningRate(5e-7).perDeviceTrainBatchSize(2).gradientAccumulationSteps(16).maxLength(6000)
                .saveStrategy(SaveStrategy.EPOCH).saveDtype(SaveDtype.BFLOAT16).syncRefModel(true).fp16(true)
                .gradientCheckpointing(true).seed(7).reportTo(List.of("tensorboard", "jsonl")).build();
        assertThat(DpoConfig.builder().config(config).build()).isEqualTo(config);
        assertThat(config.globalBatchSize(4)).isEqualTo(128);
    }

    @Test
    void reportToNamesTrlsReporters() {
        assertThat(DpoConfig.builder().outputDir(OUT).reportTo(List.of("TensorBoard", "jsonl", "jsonl")).build()
                .reporting().reportTo()).containsExactly(Reporter.JSONL, Reporter.TENSORBOARD);
        assertThat(DpoConfig.builder().outputDir(OUT).reportTo(List.of("all")).build().reporting().names())
                .containsExactly("jsonl", "tensorboard");
        ReportOptions none = DpoConfig.builder().outputDir(OUT).reportTo(List.of("none")).build().reporting();
        assertThat(none.reportTo()).isEmpty();
        assertThat(none.names()).containsExactly("none");
        assertThat(ReportOptions.parse(List.of())).isEqualTo(none);
        assertThatThrownBy(() -> DpoConfig.builder().outputDir(OUT).reportTo(List.of("jsonl", "wandb")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("report_to must be jsonl, tensorboard, all or none, got 'wandb'")
                .hasMessageContaining("wandb sync --sync-tensorboard");
        assertThatThrownBy(() -> DpoConfig.builder().outputDir(OUT).reportTo(List.of("csv")).beta(0).build())
                .hasMessageContaining("report_to must be jsonl, tensorboard, all or none, got 'csv'")
                .hasMessageContaining("beta must be positive");
        assertThatThrownBy(() -> DpoConfig.builder().outputDir(OUT).reportTo(List.of("none", "tensorboard")).build())
                .hasMessageContaining("report_to none cannot be combined with other reporters, got none,tensorboard");
        assertThatThrownBy(() -> DpoConfig.builder().outputDir(OUT).reportTo(null).build())
                .hasMessageContaining("report_to is required");
    }

    @Test
    void loraOptionsNameEachBadField() {
        assertThatThrownBy(() -> DpoConfig.builder().outputDir(OUT).loraR(0).loraAlpha(0).loraDropout(1)
                .loraTargetModules(List.of()).mergeAdapters(true).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid DPO options: ")
                .hasMessageContaining("lora_r must be at least 1, got 0")
                .hasMessageContaining("lora_alpha must be at least 1, got 0")
                .hasMessageContaining("lora_dropout must be in [0, 1), got 1.0")
                .hasMessageContaining("lora_target_modules must name at least one module, got []")
                .hasMessageContaining("merge_adapters needs use_peft");
        assertThatThrownBy(() -> LoraOptions.enabled().with(LoraOptions::loraTargetModules, List.of("all-linear", "q_proj")))
                .hasMessage("lora_target_modules: all-linear stands alone, got [all-linear, q_proj]");
        assertThatThrownBy(() -> LoraOptions.enabled().with(LoraOptions::loraTargetModules, List.of("q_proj", " ")))
                .hasMessageContaining("lora_target_modules must name at least one module");
        assertThat(LoraOptions.enabled().with(LoraOptions::loraTargetModules, List.of("all-linear")).with(LoraOptions::mergeAdapters, true).mergeAdapters())
                .isTrue();
    }

    @Test
    void usePeftRefusesSyncRefModelNamingBoth() {
        assertThatThrownBy(() -> DpoConfig.builder().outputDir(OUT).usePeft(true).syncRefModel(true).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sync_ref_model cannot be used with use_peft");
        assertThat(DpoConfig.builder().outputDir(OUT).lora(LoraOptions.enabled().with(LoraOptions::loraR, 8)).build().lora())
                .isEqualTo(LoraOptions.enabled().with(LoraOptions::loraR, 8));
    }

    @Test
    void theOptionRecordsCheckThemselves() {
        assertThatThrownBy(() -> new LossOptions(0.1, 0.7, 0.5, 0.05, FDivergence.REVERSE_KL, 1))
                .hasMessage("label_smoothing must be in [0, 0.5), got 0.7");
        assertThatThrownBy(() -> new ReferenceOptions(true, 0, null, true, 0.6, 512))
                .hasMessageContaining("cannot be used with precompute_ref_log_probs");
        assertThatThrownBy(() -> new BatchOptions(8, 8, 1, 100, 100, 0, 1, false, true))
                .hasMessage("max_prompt_length (100) must be below max_length (100)");
    }
}
