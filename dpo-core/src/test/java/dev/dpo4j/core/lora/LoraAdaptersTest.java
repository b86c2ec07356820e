package dev.dpo4j.core.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.dpo4j.core.checkpoint.CheckpointException;
import dev.dpo4j.core.kernels.InPlace;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.ModelConfig;
import dev.dpo4j.core.model.Weights;
import dev.dpo4j.core.scoring.Decoder;
import dev.dpo4j.testing.RandomInit;
import dev.dpo4j.testing.TinyModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The adapters' math by hand, their targets, initialization, merge and PEFT files. */
class LoraAdaptersTest {

    private static final ModelConfig TINY = TinyModels.config("qwen2", 40, false);

    @TempDir
    Path tmp;

    @Test
    void aTargetedLayerAddsTheScaledLowRankUpdate() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray w = manager.create(new float[] {1, 0, 0, 0, 1, 0}, new Shape(2, 3));
            NDArray a = manager.create(new float[] {1, 1, 1}, new Shape(1, 3));
            NDArray b = manager.create(new float[] {0.5f, -1}, new Shape(2, 1));
            LoraModule module = new LoraModule("m", 3, 2);
            Map<String, NDArray> base = Map.of("m.weight", w, "n.weight", w);
            Map<String, NDArray> adapters = Map.of(module.aName(), a, module.bName(), b);
            Weights view = new LoraWeights(base::get, adapters::get, Map.of("m", module), manager.create(2f), 0);
            NDArray x = manager.create(new float[] {1, 2, 3}, new Shape(1, 3));
            // x W^T = [1, 2]; x A^T = 6, scaled by alpha / r = 2: 12; B * 12 = [6, -12]
            assertThat(view.linear("m", x, false).toFloatArray()).containsExactly(7, -10);
            assertThat(view.linear("n", x, false).toFloatArray()).as("not targeted").containsExactly(1, 2);
        }
    }

    @Test
    void scalingIsAlphaOverRankOrOverItsRoot() {
        assertThat(LoraOptions.enabled().with(LoraOptions::loraR, 4).with(LoraOptions::loraAlpha, 8).scaling()).isEqualTo(2);
        assertThat(LoraOptions.enabled().with(LoraOptions::loraR, 4).with(LoraOptions::loraAlpha, 8).with(LoraOptions::useRslora, true).scaling()).isEqualTo(4);
    }

    @Test
    void targetsMatchModuleNamesOrTheirSuffixes() {
        assertThat(LoraModule.resolve(TINY, List.of("q_proj", "v_proj"))).extracting(LoraModule::name)
                .containsExactly("model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.v_proj",
                        "model.layers.1.self_attn.q_proj", "model.layers.1.self_attn.v_proj");
        assertThat(LoraModule.resolve(TINY, List.of("model.layers.1.mlp.up_proj"))).singleElement()
                .isEqualTo(new LoraModule("model.layers.1.mlp.up_proj", 32, TINY.intermediateSize()));
        List<LoraModule> all = LoraModule.resolve(TINY, List.of(LoraOptions.ALL_LINEAR));
        assertThat(all).hasSize(2 * 7).noneMatch(m -> m.name().contains("lm_head") || m.name().contains("embed"));
        assertThatThrownBy(() -> LoraModule.resolve(TINY, List.of("q_proj", "qkv_proj")))
                .hasMessageContaining("lora_target_modules: qkv_proj matches no linear layer")
                .hasMessageContaining("q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj");
    }

    @Test
    void initializationIsPeftsDefaultAndSeeded() {
        try (NDManager manager = NDManager.newBaseManager();
                LoraAdapters first = LoraAdapters.initialize(TINY, LoraOptions.enabled(), manager, 3);
                LoraAdapters again = LoraAdapters.initialize(TINY, LoraOptions.enabled(), manager, 3)) {
            LoraModule q = first.modules().get(0);
            NDArray a = first.parameters().get(q.aName());
            assertThat(a.getShape()).isEqualTo(new Shape(16, 32));
            assertThat(a.abs().max().getFloat()).isLessThanOrEqualTo((float) (1 / Math.sqrt(32)))
                    .isGreaterThan((float) (0.9 / Math.sqrt(32)));
            assertThat(first.parameters().get(q.bName()).abs().max().getFloat()).isZero();
            assertThat(again.parameters().get(q.aName()).toFloatArray()).containsExactly(a.toFloatArray());
            assertThat(first.parameterCount()).isEqualTo(2L * (16 * 32 + 32 * 16 + 16 * 32 + 16 * 16));
        }
    }

    @Test
    void mergedWeightsComputeWhatTheAdaptersDo() {
        try (NDManager manager = NDManager.newBaseManager();
                CausalLm model = RandomInit.create(TINY, manager, 5, 0.2);
                LoraAdapters adapters = randomAdapters(manager, LoraOptions.ALL_LINEAR)) {
            NDArray ids = manager.create(new long[] {1, 5, 9, 2, 7, 3}, new Shape(1, 6));
            NDArray adapted = Decoder.hiddenStates(model, ids, adapters.over(model.weights()), DataType.FLOAT32);
            NDArray plain = Decoder.hiddenStates(model, ids, model.weights(), DataType.FLOAT32);
            assertThat(adapted.sub(plain).abs().max().getFloat()).as("the adapters matter").isGreaterThan(1e-2f);
            adapters.mergeInto(model);
            NDArray merged = Decoder.hiddenStates(model, ids, model.weights(), DataType.FLOAT32);
            assertThat(merged.sub(adapted).abs().max().getFloat()).isLessThan(1e-5f);
        }
    }

    @Test
    void anAdapterFolderRoundTripsInPeftsLayout() throws IOException {
        try (NDManager manager = NDManager.newBaseManager();
                LoraAdapters adapters = randomAdapters(manager, "q_proj", "model.layers.1.mlp.down_proj")) {
            adapters.save(tmp.resolve("adapter"), "some/base");
            assertThat(AdapterFolder.isAdapter(tmp.resolve("adapter"))).isTrue();
            assertThat(AdapterFolder.baseModel(tmp.resolve("adapter"))).isEqualTo("some/base");
            try (LoraAdapters loaded = LoraAdapters.load(tmp.resolve("adapter"), TINY, manager)) {
                assertThat(loaded.modules()).isEqualTo(adapters.modules());
                assertThat(loaded.options().loraR()).isEqualTo(4);
                assertThat(loaded.options().loraAlpha()).isEqualTo(8);
                adapters.parameters().forEach((name, weight) -> assertThat(loaded.parameters().get(name)
                        .toFloatArray()).as(name).containsExactly(weight.toFloatArray()));
            }
        }
    }

    @Test
    void aPeftConfigGivenAsARegexOrAllLinearIsRead() throws IOException {
        try (NDManager manager = NDManager.newBaseManager();
                LoraAdapters adapters = randomAdapters(manager, LoraOptions.ALL_LINEAR)) {
            adapters.save(tmp.resolve("a"), null);
            Path config = tmp.resolve("a").resolve(AdapterFolder.CONFIG);
            String text = Files.readString(config);
            String list = text.substring(text.indexOf("\"target_modules\""), text.indexOf("]", text.indexOf(
                    "\"target_modules\"")) + 1);
            Files.writeString(config, text.replace(list, "\"target_modules\": \"all-linear\""));
            try (LoraAdapters loaded = LoraAdapters.load(tmp.resolve("a"), TINY, manager)) {
                assertThat(loaded.modules()).hasSize(14);
            }
            Files.writeString(config, text.replace(list, "\"target_modules\": \".*\\\\.(q|v)_proj\""));
            assertThatThrownBy(() -> LoraAdapters.load(tmp.resolve("a"), TINY, manager))
                    .as("the file has more tensors than the regex targets").isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("unexpected tensor");
        }
    }

    @Test
    void aBrokenAdapterFolderNamesTheFileAndField() throws IOException {
        try (NDManager manager = NDManager.newBaseManager();
                LoraAdapters adapters = randomAdapters(manager, "q_proj")) {
            Path folder = tmp.resolve("a");
            adapters.save(folder, null);
            Path config = folder.resolve(AdapterFolder.CONFIG);
            String text = Files.readString(config);
            Files.writeString(config, text.replace("\"LORA\"", "\"IA3\""));
            assertThatThrownBy(() -> LoraAdapters.load(folder, TINY, manager)).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(config.toString()).hasMessageContaining("peft_type is IA3");
            Files.writeString(config, text.replace("\"r\": 4", "\"r\": 8"));
            assertThatThrownBy(() -> LoraAdapters.load(folder, TINY, manager))
                    .hasMessageContaining(AdapterFolder.WEIGHTS).hasMessageContaining("has shape (4, 32)")
                    .hasMessageContaining("imply (8, 32)");
            Files.writeString(config, text.replace("\"bias\": \"none\"", "\"bias\": \"all\""));
            assertThatThrownBy(() -> LoraAdapters.load(folder, TINY, manager)).hasMessageContaining("bias");
            Files.writeString(config, text);
            Files.delete(folder.resolve(AdapterFolder.WEIGHTS));
            assertThatThrownBy(() -> LoraAdapters.load(folder, TINY, manager))
                    .hasMessageContaining(AdapterFolder.WEIGHTS + ": missing");
        }
    }

    /** Adapters of rank 4, alpha 8, with non-zero B so that they change the model. */
    private static LoraAdapters randomAdapters(NDManager manager, String... targets) {
        LoraAdapters adapters = LoraAdapters.initialize(TINY, LoraOptions.enabled().with(LoraOptions::loraR, 4).with(LoraOptions::loraAlpha, 8)
                .with(LoraOptions::loraTargetModules, List.of(targets)), manager, 9);
        adapters.modules().forEach(m -> {
            NDArray b = adapters.parameters().get(m.bName());
            InPlace.assign(b, manager.randomNormal(0, 0.2f, b.getShape(), DataType.FLOAT32));
        });
        return adapters;
    }
}
