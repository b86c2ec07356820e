package dev.dpo4j.core.train;

import static dev.dpo4j.testing.TrainedWeights.assertAdaptersTrained;
import static dev.dpo4j.testing.TrainedWeights.assertAdaptersTrainedAlike;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.dpo4j.api.train.DpoMetrics;
import dev.dpo4j.api.train.TrainingListener;
import dev.dpo4j.api.train.TrainingSummary;
import dev.dpo4j.core.checkpoint.Safetensors;
import dev.dpo4j.core.lora.AdapterFolder;
import dev.dpo4j.core.lora.LoraOptions;
import dev.dpo4j.core.loss.Losses;
import dev.dpo4j.testing.TrainedWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.ValueSource;

/** LoRA training end to end on the tiny model: what is trained, saved, resumed, continued and refused. */
class LoraTrainingTest extends TinyModelTraining {

    static final List<String> LOSSES = Losses.NAMES;

    private DpoTrainer.Builder lora(Path out) {
        return trainer(out).learningRate(1e-2).perDeviceTrainBatchSize(4).loggingSteps(1).seed(7)
                .lora(LoraOptions.enabled().with(LoraOptions::loraR, 4).with(LoraOptions::loraAlpha, 8).with(LoraOptions::loraTargetModules, List.of(LoraOptions.ALL_LINEAR)));
    }

    @Test
    void adaptersLearnThePreferenceAndAreSavedAsAPeftAdapter() throws IOException {
        List<DpoMetrics> logs = new ArrayList<>();
        TrainingSummary summary = lora(tmp.resolve("out")).numTrainEpochs(4).beta(0.5).listener(recorder(logs))
                .build().train();

        assertThat(summary.steps()).isEqualTo(16);
        // B starts at zero: the policy is the reference, so the first loss is ln 2
        assertThat(logs.get(0).loss()).isCloseTo(Math.log(2), within(1e-6));
        assertThat(logs.get(logs.size() - 1).loss()).isLessThan(logs.get(0).loss() * 0.8);
        Path out = tmp.resolve("out");
        assertThat(out.resolve("model.safetensors")).doesNotExist();
        assertThat(out.resolve("tokenizer.json")).exists();
        JsonObject config = JsonParser.parseString(Files.readString(out.resolve(AdapterFolder.CONFIG)))
                .getAsJsonObject();
        assertThat(config.get("peft_type").getAsString()).isEqualTo("LORA");
        assertThat(config.get("task_type").getAsString()).isEqualTo("CAUSAL_LM");
        assertThat(config.get("r").getAsInt()).isEqualTo(4);
        assertThat(config.get("lora_alpha").getAsInt()).isEqualTo(8);
        assertThat(config.get("base_model_name_or_path").getAsString()).isEqualTo(modelDir.toString());
        assertThat(config.get("target_modules").toString())
                .isEqualTo("[\"down_proj\",\"gate_proj\",\"k_proj\",\"o_proj\",\"q_proj\",\"up_proj\",\"v_proj\"]");
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = Safetensors.read(out.resolve(AdapterFolder.WEIGHTS), manager,
                    DataType.FLOAT32);
            int layers = 2;
            assertThat(tensors).hasSize(layers * 7 * 2);
            NDArray a = tensors.get("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight");
            NDArray b = tensors.get("base_model.model.model.layers.1.mlp.down_proj.lora_B.weight");
            assertThat(a.getShape().getShape()).containsExactly(4, 32);
            assertThat(b.getShape().getShape()).containsExactly(32, 4);
            assertThat(b.abs().max().getFloat()).as("B trained away from zero").isPositive();
        }
    }

    @Test
    void onlyTheTargetedLayersGetAdapters() throws IOException {
        lora(tmp.resolve("qv")).lora(LoraOptions.enabled().with(LoraOptions::loraR, 2)).maxSteps(1).build().train();
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThat(Safetensors.read(tmp.resolve("qv").resolve(AdapterFolder.WEIGHTS), manager, DataType.FLOAT32)
                    .keySet()).hasSize(2 * 2 * 2).allMatch(n -> n.contains("q_proj") || n.contains("v_proj"));
        }
    }

    @Test
    void resumingGivesTheSameAdaptersAsAnUninterruptedRun() {
        lora(tmp.resolve("whole")).maxSteps(6).saveStrategy(SaveStrategy.STEPS).saveSteps(3).build().train();
        Path checkpoint = tmp.resolve("whole/checkpoint-3");
        assertThat(checkpoint.resolve(AdapterFolder.WEIGHTS)).exists();
        assertThat(checkpoint.resolve("optimizer.safetensors")).exists();
        assertThat(checkpoint.resolve("model.safetensors")).as("a checkpoint holds the adapters only").doesNotExist();

        lora(tmp.resolve("resumed")).maxSteps(6).resumeFromCheckpoint(checkpoint).build().train();
        assertAdaptersTrainedAlike(tmp.resolve("whole"), tmp.resolve("resumed"), 1e-6f);
    }

    @Test
    void continuingASavedAdapterRefersToItAsLoaded() {
        lora(tmp.resolve("first")).maxSteps(3).build().train();
        List<DpoMetrics> logs = new ArrayList<>();
        DpoTrainer.builder().modelPath(tmp.resolve("first")).trainData(dev.dpo4j.testing.TinyModels.arithmetic(16))
                .outputDir(tmp.resolve("second")).progressBar(false).learningRate(1e-2).perDeviceTrainBatchSize(4)
                .loggingSteps(1).maxSteps(2).listener(recorder(logs)).build().train();
        // the reference is the base plus the adapter as loaded, so the first step's loss is ln 2 again
        assertThat(logs.get(0).loss()).isCloseTo(Math.log(2), within(1e-6));
        assertThat(logs.get(1).loss()).isNotCloseTo(Math.log(2), within(1e-4));
        assertThat(tmp.resolve("second").resolve(AdapterFolder.CONFIG)).content()
                .contains("\"r\": 4").contains(modelDir.toString());
    }

    @Test
    void aReferenceModelOfItsOwnIsScoredInsteadOfTheBase() {
        List<DpoMetrics> own = new ArrayList<>();
        lora(tmp.resolve("own")).referenceModelNameOrPath(modelDir.toString()).maxSteps(3).listener(recorder(own))
                .build().train();
        List<DpoMetrics> off = new ArrayList<>();
        lora(tmp.resolve("off")).maxSteps(3).listener(recorder(off)).build().train();
        // the reference folder holds the base itself, so both references score alike
        assertThat(own.get(0).loss()).isCloseTo(Math.log(2), within(1e-6));
        assertThat(own.get(2).loss()).isCloseTo(off.get(2).loss(), within(1e-5));
        assertAdaptersTrainedAlike(tmp.resolve("own"), tmp.resolve("off"), 1e-4f);
    }

    @Test
    void checkpointedLayersTrainAsThePlainPass() {
        lora(tmp.resolve("plain")).maxSteps(3).gradientCheckpointing(false).build().train();
        lora(tmp.resolve("recomputed")).maxSteps(3).gradientCheckpointing(true).build().train();
        assertAdaptersTrainedAlike(tmp.resolve("plain"), tmp.resolve("recomputed"), 1e-5f);
    }

    @Test
    void aPrecomputedReferenceMatchesTheAdaptersOff() {
        lora(tmp.resolve("live")).maxSteps(3).build().train();
        lora(tmp.resolve("pre")).maxSteps(3).precomputeRefLogProbs(true).build().train();
        // the table is scored in evaluation batches, padded otherwise: float32 noise that Adam amplifies where a
        // gradient element is near zero
        assertAdaptersTrainedAlike(tmp.resolve("live"), tmp.resolve("pre"), 5e-4f);
    }

    @ParameterizedTest
    @ValueSource(strings = {"fp16", "bf16"})
    void halfPrecisionAdaptersTrackFloat32(String precision) {
        TrainingSummary full = lora(tmp.resolve("fp32")).maxSteps(3).build().train();
        DpoTrainer.Builder half = lora(tmp.resolve(precision)).maxSteps(3);
        TrainingSummary summary = (precision.equals("fp16") ? half.fp16(true) : half.bf16(true)).build().train();
        assertThat(summary.lastTrain().loss()).isCloseTo(full.lastTrain().loss(), within(0.02));
        assertThat(summary.lastTrain().rewardsMargin()).isCloseTo(full.lastTrain().rewardsMargin(),
                within(0.05 * Math.abs(full.lastTrain().rewardsMargin()) + 1e-3));
        assertAdaptersTrained(tmp.resolve("fp32"));
        assertAdaptersTrained(tmp.resolve(precision));
    }

    @ParameterizedTest
    @FieldSource("LOSSES")
    void everyBuiltInLossTrainsAdapters(String lossType) {
        // exo_pair needs some label smoothing; the other losses take it or ignore it
        TrainingSummary summary = lora(tmp.resolve(lossType)).lossType(lossType).labelSmoothing(1e-3).maxSteps(1)
                .build().train();
        assertThat(summary.lastTrain().loss()).isFinite();
        // B starts at zero: the one step moved every B
        assertAdaptersTrained(tmp.resolve(lossType));
    }

    @Test
    void mergeAdaptersAlsoWritesTheMergedModel() throws IOException {
        lora(tmp.resolve("out")).lora(LoraOptions.enabled().with(LoraOptions::loraR, 4).with(LoraOptions::loraAlpha, 8).with(LoraOptions::mergeAdapters, true))
                .maxSteps(2).build().train();
        Path merged = tmp.resolve("out").resolve(LoraOptions.MERGED_FOLDER);
        String q = "model.layers.0.self_attn.q_proj";
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> base = Safetensors.read(modelDir.resolve("model.safetensors"), manager,
                    DataType.FLOAT32);
            Map<String, NDArray> adapter = Safetensors.read(tmp.resolve("out").resolve(AdapterFolder.WEIGHTS),
                    manager, DataType.FLOAT32);
            Map<String, NDArray> result = Safetensors.read(merged.resolve("model.safetensors"), manager,
                    DataType.FLOAT32);
            NDArray expected = base.get(q + ".weight").add(adapter.get("base_model.model." + q + ".lora_B.weight")
                    .matMul(adapter.get("base_model.model." + q + ".lora_A.weight")).mul(8f / 4));
            assertThat(expected.sub(result.get(q + ".weight")).abs().max().getFloat()).isLessThan(1e-6f);
            String k = "model.layers.0.self_attn.k_proj.weight";
            assertThat(result.get(k).sub(base.get(k)).abs().max().getFloat()).as("untargeted: unchanged").isZero();
        }
        assertThat(merged.resolve("config.json")).exists();
        assertThat(merged.resolve("tokenizer.json")).exists();
    }

    @Test
    void refusesWhatLoraCannotDoNamingTheOption() {
        assertThatThrownBy(() -> lora(tmp.resolve("a")).lora(LoraOptions.enabled().with(LoraOptions::loraTargetModules, List.of("q_prj")))
                .maxSteps(1).build().train())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lora_target_modules: q_prj")
                .hasMessageContaining("q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj");
        assertThatThrownBy(() -> lora(tmp.resolve("b")).syncRefModel(true).build())
                .hasMessageContaining("sync_ref_model cannot be used with use_peft");
        assertThatThrownBy(() -> lora(tmp.resolve("c")).lora(LoraOptions.enabled().with(LoraOptions::disableDropout, false))
                .maxSteps(1).build().train())
                .hasMessageContaining("lora_dropout 0.05 with disable_dropout false needs gradient_checkpointing false");
    }

    @Test
    void loraDropoutTrainsWithoutCheckpointing() {
        TrainingSummary summary = lora(tmp.resolve("dropout")).lora(LoraOptions.enabled().with(LoraOptions::disableDropout, false)
                .with(LoraOptions::loraDropout, 0.2)).gradientCheckpointing(false).maxSteps(2).build().train();
        assertThat(summary.lastTrain().loss()).isFinite();
        assertAdaptersTrained(tmp.resolve("dropout"));
    }

    @Test
    void aBrokenAdapterFolderIsNamed() throws IOException {
        lora(tmp.resolve("first")).maxSteps(1).build().train();
        Path config = tmp.resolve("first").resolve(AdapterFolder.CONFIG);
        Files.writeString(config, Files.readString(config).replace("\"use_dora\": false", "\"use_dora\": true"));
        assertThatThrownBy(() -> DpoTrainer.builder().modelPath(tmp.resolve("first"))
                .trainData(dev.dpo4j.testing.TinyModels.arithmetic(4)).outputDir(tmp.resolve("second"))
                .progressBar(false).maxSteps(1).build().train())
                .hasMessageContaining(config.toString()).hasMessageContaining("use_dora");
    }

    private static TrainingListener recorder(List<DpoMetrics> logs) {
        return new TrainingListener() {
            @Override
            public void onLog(DpoMetrics metrics) {
                logs.add(metrics);
            }
        };
    }
}
