package dev.dpo4j.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import dev.dpo4j.core.scoring.Decoder;
import dev.dpo4j.testing.RandomInit;
import dev.dpo4j.testing.TinyModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The blocks' weight names and shapes, and the {@link Weights#linear} seam every projection goes through. */
class WeightNamesTest {

    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    @Test
    void expectedShapesKeepTheirNamesShapesAndOrder() {
        JsonObject json = TinyModels.json("qwen3", 50, false);
        json.addProperty("attention_bias", true);
        json.addProperty("num_hidden_layers", 1);
        ModelConfig config = ModelConfig.fromJson(json, "test");
        Map<String, Shape> shapes = CausalLm.expectedShapes(config);
        List<String> expected = List.of(
                "model.embed_tokens.weight (50, 32)",
                "model.layers.0.self_attn.q_proj.weight (32, 32)",
                "model.layers.0.self_attn.k_proj.weight (16, 32)",
                "model.layers.0.self_attn.v_proj.weight (16, 32)",
                "model.layers.0.self_attn.q_proj.bias (32)",
                "model.layers.0.self_attn.k_proj.bias (16)",
                "model.layers.0.self_attn.v_proj.bias (16)",
                "model.layers.0.self_attn.q_norm.weight (8)",
                "model.layers.0.self_attn.k_norm.weight (8)",
                "model.layers.0.self_attn.o_proj.weight (32, 32)",
                "model.layers.0.mlp.gate_proj.weight (64, 32)",
                "model.layers.0.mlp.up_proj.weight (64, 32)",
                "model.layers.0.mlp.down_proj.weight (32, 64)",
                "model.layers.0.input_layernorm.weight (32)",
                "model.layers.0.post_attention_layernorm.weight (32)",
                "model.norm.weight (32)",
                "lm_head.weight (50, 32)");
        assertThat(shapes.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList())
                .containsExactlyElementsOf(expected);
    }

    @Test
    void tiedLlamaHasNoHeadNorBiasesNorQkNorms() {
        Map<String, Shape> shapes = CausalLm.expectedShapes(TinyModels.config("llama", 50, true));
        assertThat(shapes).hasSize(1 + 2 * 9 + 1)
                .doesNotContainKey("lm_head.weight")
                .containsEntry("model.layers.1.mlp.down_proj.weight", new Shape(32, 64));
        assertThat(shapes.keySet()).noneMatch(name -> name.endsWith(".bias") || name.contains("q_norm"));
    }

    @Test
    void defaultLinearIsInputTimesWeightTransposedPlusBias() {
        NDArray x = manager.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3));
        NDArray w = manager.create(new float[] {1, 0, -1, 2, 1, 0}, new Shape(2, 3));
        NDArray b = manager.create(new float[] {10, 20});
        Weights weights = name -> switch (name) {
            case "m.weight" -> w;
            case "m.bias" -> b;
            default -> throw new IllegalStateException(name);
        };
        assertThat(weights.linear("m", x, false).toFloatArray()).containsExactly(-2, 4, -2, 13);
        assertThat(weights.linear("m", x, true).toFloatArray()).containsExactly(8, 24, 8, 33);
    }

    @Test
    void everyProjectionAndTheHeadGoThroughLinear() {
        ModelConfig config = TinyModels.config("qwen2", 50, true);
        try (CausalLm model = RandomInit.create(config, manager, 3, 0.1)) {
            List<String> modules = new ArrayList<>();
            Weights master = model.weights();
            Weights spying = new Weights() {
                @Override
                public NDArray get(String name) {
                    return master.get(name);
                }

                @Override
                public NDArray linear(String module, NDArray input, boolean withBias) {
                    modules.add(module + (withBias ? " +bias" : ""));
                    return Weights.super.linear(module, input, withBias);
                }
            };
            NDArray ids = manager.create(new long[] {3, 4, 5}, new Shape(1, 3));
            NDArray hidden = Decoder.hiddenStates(model, ids, spying, DataType.FLOAT32);
            NDArray logits = model.logits(hidden, spying);
            assertThat(modules).hasSize(2 * 7 + 1).startsWith("model.layers.0.self_attn.q_proj +bias",
                    "model.layers.0.self_attn.k_proj +bias", "model.layers.0.self_attn.v_proj +bias",
                    "model.layers.0.self_attn.o_proj", "model.layers.0.mlp.gate_proj", "model.layers.0.mlp.up_proj",
                    "model.layers.0.mlp.down_proj").endsWith("model.embed_tokens");
            NDArray plain = hidden.matMul(model.lmHead(master).transpose());
            assertThat(logits.toFloatArray()).containsExactly(plain.toFloatArray(), within(1e-5f));
        }
    }
}
