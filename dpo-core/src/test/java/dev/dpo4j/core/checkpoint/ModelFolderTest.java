package dev.dpo4j.core.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import dev.dpo4j.core.data.PairCollator;
import dev.dpo4j.core.data.TokenizedPair;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.ModelConfig;
import dev.dpo4j.core.scoring.CompletionScorer;
import dev.dpo4j.core.tokenizer.HfTokenizer;
import dev.dpo4j.hub.ModelFileException;
import dev.dpo4j.testing.RandomInit;
import dev.dpo4j.testing.TinyModels;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFolderTest {

    @TempDir
    Path tmp;
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
    void saveThenLoadGivesIdenticalLogps() throws IOException {
        for (String family : new String[] {"llama", "qwen2", "qwen3", "mistral"}) {
            Path original = TinyModels.writeModel(tmp.resolve(family), family, 5);
            try (CausalLm model = ModelFolder.load(original, manager)) {
                ModelFolder.save(model, tmp.resolve(family + "-copy"), original);
                try (CausalLm copy = ModelFolder.load(tmp.resolve(family + "-copy"), manager)) {
                    assertThat(logps(copy)).as(family).containsExactly(logps(model));
                }
            }
            assertThat(tmp.resolve(family + "-copy/tokenizer.json")).exists();
        }
    }

    @Test
    void savedModelKeepsTheChatTemplateFileAndOtherTokenizerFiles() throws IOException {
        Path original = TinyModels.writeModel(tmp.resolve("src"), "qwen2", 5);
        Files.writeString(original.resolve("chat_template.jinja"), "{{ messages }}");
        Files.writeString(original.resolve("generation_config.json"), "{}");
        Files.writeString(original.resolve("README.md"), "# not copied");
        try (CausalLm model = ModelFolder.load(original, manager)) {
            ModelFolder.save(model, tmp.resolve("saved"), original);
        }
        assertThat(tmp.resolve("saved/chat_template.jinja")).hasContent("{{ messages }}");
        assertThat(tmp.resolve("saved/generation_config.json")).hasContent("{}");
        assertThat(tmp.resolve("saved/tokenizer_config.json")).exists();
        assertThat(tmp.resolve("saved/README.md")).doesNotExist();
    }

    @Test
    void unreadableIndexNamesTheFileAndKey() throws IOException {
        Path folder = TinyModels.writeModel(tmp.resolve("idx"), "llama", 5);
        Files.writeString(folder.resolve("model.safetensors.index.json"), "{\"metadata\": {}}");
        assertThatThrownBy(() -> ModelFolder.load(folder, manager)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("model.safetensors.index.json").hasMessageContaining("missing key 'weight_map'");
        Files.writeString(folder.resolve("model.safetensors.index.json"),
                "{\"weight_map\": {\"a\": \"../outside.safetensors\"}}");
        assertThatThrownBy(() -> ModelFolder.load(folder, manager)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("weight_map.a").hasMessageContaining("../outside.safetensors");
    }

    private float[] logps(CausalLm model) {
        try (NDManager scope = manager.newSubManager()) {
            TokenizedPair pair = new TokenizedPair(new int[] {5, 6, 7}, new int[] {8, 9, 2}, new int[] {10, 2});
            var arrays = new PairCollator(0, 1).collate(List.of(pair)).toArrays(scope);
            return CompletionScorer.score(model, arrays, model.weights(), DataType.FLOAT32).logps()
                    .toFloatArray();
        }
    }

    @Test
    void shardedFoldersLoadThroughTheIndex() throws IOException {
        Path single = TinyModels.writeModel(tmp.resolve("single"), "llama", 5);
        Path sharded = Files.createDirectories(tmp.resolve("sharded"));
        Files.copy(single.resolve("config.json"), sharded.resolve("config.json"));
        Map<String, NDArray> weights = Safetensors.read(single.resolve("model.safetensors"), manager,
                DataType.FLOAT32);
        JsonObject map = new JsonObject();
        int i = 0;
        for (var entry : weights.entrySet()) {
            String shard = "model-0000" + (i++ % 2 + 1) + "-of-00002.safetensors";
            map.addProperty(entry.getKey(), shard);
        }
        for (String shard : List.of("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors")) {
            Map<String, NDArray> part = new java.util.LinkedHashMap<>();
            weights.forEach((name, w) -> {
                if (map.get(name).getAsString().equals(shard)) {
                    part.put(name, w);
                }
            });
            Safetensors.write(sharded.resolve(shard), part, Map.of());
        }
        JsonObject index = new JsonObject();
        index.add("weight_map", map);
        Files.writeString(sharded.resolve("model.safetensors.index.json"), index.toString());
        try (CausalLm a = ModelFolder.load(single, manager); CausalLm b = ModelFolder.load(sharded, manager)) {
            assertThat(logps(b)).containsExactly(logps(a));
        }
    }

    @Test
    void readsBfloat16AsFloat32() throws IOException {
        // 1.5 is 0x3FC0 in bfloat16, -2 is 0xC000
        ByteBuffer data = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x3FC0)
                .putShort((short) 0xC000);
        Path file = writeRaw("{\"x\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}}", data.array());
        NDArray x = Safetensors.read(file, manager, DataType.FLOAT32).get("x");
        assertThat(x.getDataType()).isEqualTo(DataType.FLOAT32);
        assertThat(x.toFloatArray()).containsExactly(1.5f, -2f);
    }

    @Test
    void writesBfloat16RoundedToNearestEven() {
        // 1 + 2^-8 lies halfway between bfloat16 1.0 (0x3F80) and 1.0078125 (0x3F81): ties go to the even 0x3F80;
        // 1 + 3 * 2^-8 lies halfway between 0x3F81 and 0x3F82: to 0x3F82; 1 + 2^-8 + 2^-20 is above half: 0x3F81
        float[] values = {1f, 1.00390625f, 1.01171875f, 1.00390625f + 0x1p-20f, -2f, Float.NaN};
        ByteBuffer floats = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            floats.putFloat(v);
        }
        ByteBuffer halves = Safetensors.floatToBfloat16(floats.flip());
        short[] out = new short[values.length];
        halves.asShortBuffer().get(out);
        assertThat(out).containsExactly((short) 0x3F80, (short) 0x3F80, (short) 0x3F82, (short) 0x3F81,
                (short) 0xC000, (short) 0x7FC0);
    }

    @Test
    void savesInTheAskedOrTheStartingDtypeAndLoadsBack() throws IOException {
        var json = TinyModels.json("llama", 50, false);
        json.addProperty("torch_dtype", "bfloat16");
        ModelConfig config = ModelConfig.fromJson(json, "c");
        try (CausalLm model = RandomInit.create(config, manager, 3, 0.1)) {
            ModelFolder.save(model, tmp.resolve("auto"), null, SaveDtype.AUTO);
            ModelFolder.save(model, tmp.resolve("half"), null, SaveDtype.FLOAT16);
            ModelFolder.save(model, tmp.resolve("full"), null);
            assertThat(Files.readString(tmp.resolve("auto/config.json"))).contains("\"torch_dtype\": \"bfloat16\"");
            assertThat(Files.readString(tmp.resolve("half/config.json"))).contains("\"dtype\": \"float16\"");
            assertThat(Files.readString(tmp.resolve("auto/model.safetensors"), StandardCharsets.ISO_8859_1))
                    .contains("\"dtype\":\"BF16\"").doesNotContain("\"F32\"");
            long full = Files.size(tmp.resolve("full/model.safetensors"));
            assertThat(Files.size(tmp.resolve("auto/model.safetensors"))).isLessThan(full * 6 / 10);
            try (CausalLm bf16 = ModelFolder.load(tmp.resolve("auto"), manager);
                    CausalLm f16 = ModelFolder.load(tmp.resolve("half"), manager)) {
                model.parameters().forEach((name, weight) -> {
                    float[] exact = weight.toFloatArray();
                    float[] brain = bf16.parameters().get(name).toFloatArray();
                    float[] half = f16.parameters().get(name).toFloatArray();
                    for (int i = 0; i < exact.length; i++) {
                        assertThat(Math.abs(brain[i] - exact[i])).isLessThanOrEqualTo(Math.abs(exact[i]) / 256);
                        assertThat(Math.abs(half[i] - exact[i])).isLessThanOrEqualTo(Math.abs(exact[i]) / 2048 + 1e-7f);
                    }
                });
            }
        }
        assertThat(SaveDtype.AUTO.resolve(TinyModels.json("llama", 50, false))).isEqualTo(SaveDtype.FLOAT32);
        assertThatThrownBy(() -> SaveDtype.parse("int8")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("save_dtype must be auto, float32, float16 or bfloat16, got 'int8'");
    }

    @Test
    void writesLargeTensorsInRowSlicesWithTheSameBytes() throws IOException {
        NDArray big = manager.arange(0f, 60f).reshape(10, 6);
        NDArray vector = manager.arange(0f, 7f);
        Safetensors.write(tmp.resolve("whole.safetensors"), Map.of("big", big, "v", vector), Map.of(), null);
        Safetensors.write(tmp.resolve("sliced.safetensors"), Map.of("big", big, "v", vector), Map.of(), null, 13);
        Safetensors.write(tmp.resolve("sliced16.safetensors"), Map.of("big", big, "v", vector), Map.of(),
                SaveDtype.BFLOAT16, 13);
        assertThat(Files.readAllBytes(tmp.resolve("sliced.safetensors")))
                .isEqualTo(Files.readAllBytes(tmp.resolve("whole.safetensors")));
        Map<String, NDArray> read = Safetensors.read(tmp.resolve("sliced16.safetensors"), manager, DataType.FLOAT32);
        assertThat(read.get("big").toFloatArray()).containsExactly(big.toFloatArray());
        assertThat(read.get("v").toFloatArray()).containsExactly(vector.toFloatArray());
    }

    @Test
    void roundTripsFloat16AndInt64() throws IOException {
        NDArray half = manager.create(new float[] {0.5f, 2f}).toType(DataType.FLOAT16, false);
        NDArray ids = manager.create(new long[] {7, 9}, new Shape(2, 1));
        Path file = tmp.resolve("t.safetensors");
        Safetensors.write(file, Map.of("half", half, "ids", ids), Map.of("format", "pt"));
        Map<String, NDArray> read = Safetensors.read(file, manager, DataType.FLOAT32);
        assertThat(read.get("half").toFloatArray()).containsExactly(0.5f, 2f);
        assertThat(read.get("ids").getShape()).isEqualTo(new Shape(2, 1));
        assertThat(read.get("ids").toLongArray()).containsExactly(7, 9);
    }

    @Test
    void badWeightFilesNameTheFileAndTensor() throws IOException {
        Path truncated = writeRaw("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[8]);
        assertThatThrownBy(() -> Safetensors.read(truncated, manager, DataType.FLOAT32))
                .isInstanceOf(CheckpointException.class).hasMessageContaining(truncated.toString())
                .hasMessageContaining("tensor 'x'");
        Path garbage = tmp.resolve("garbage.safetensors");
        Files.writeString(garbage, "this is not a safetensors file at all");
        assertThatThrownBy(() -> Safetensors.read(garbage, manager, DataType.FLOAT32))
                .hasMessageContaining(garbage.toString()).hasMessageContaining("not a safetensors file");
        Path exotic = writeRaw("{\"x\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}}", new byte[1]);
        assertThatThrownBy(() -> Safetensors.read(exotic, manager, DataType.FLOAT32))
                .hasMessageContaining("unsupported dtype F8_E4M3");
    }

    @Test
    void badModelFoldersNameTheFileAndKey() throws IOException {
        Path folder = TinyModels.writeModel(tmp.resolve("m"), "llama", 5);
        assertThatThrownBy(() -> ModelFolder.load(tmp.resolve("nowhere"), manager))
                .hasMessageContaining("model folder does not exist");

        String config = Files.readString(folder.resolve("config.json"));
        Files.writeString(folder.resolve("config.json"), config.replace("\"hidden_size\"", "\"hidden\""));
        assertThatThrownBy(() -> ModelFolder.load(folder, manager)).isInstanceOf(ModelFileException.class)
                .hasMessageContaining("config.json").hasMessageContaining("missing key 'hidden_size'");

        Files.writeString(folder.resolve("config.json"), config.replace("\"llama\"", "\"gpt2\""));
        assertThatThrownBy(() -> ModelFolder.load(folder, manager))
                .hasMessageContaining("model_type 'gpt2' is not supported")
                .hasMessageContaining("llama, mistral, qwen2, qwen3");

        Files.writeString(folder.resolve("config.json"), config.replace("\"num_hidden_layers\": 2",
                "\"num_hidden_layers\": 3"));
        assertThatThrownBy(() -> ModelFolder.load(folder, manager))
                .hasMessageContaining("weights lack 'model.layers.2.self_attn.q_proj.weight'");

        Files.writeString(folder.resolve("config.json"), "{ not json");
        assertThatThrownBy(() -> ModelFolder.load(folder, manager)).hasMessageContaining("not valid JSON");

        Files.writeString(folder.resolve("config.json"), config);
        Files.delete(folder.resolve("model.safetensors"));
        assertThatThrownBy(() -> ModelFolder.load(folder, manager)).hasMessageContaining("model.safetensors")
                .hasMessageContaining("missing");
        Files.delete(folder.resolve("tokenizer.json"));
        assertThatThrownBy(() -> HfTokenizer.load(folder)).hasMessageContaining("tokenizer.json")
                .hasMessageContaining("missing");
    }

    @Test
    void tokenizerReadsSpecialTokensFromItsConfig() {
        Path folder = TinyModels.writeModel(tmp.resolve("t"), "qwen2", 5);
        try (HfTokenizer tokenizer = HfTokenizer.load(folder)) {
            assertThat(tokenizer.bosId()).isEmpty();
            assertThat(tokenizer.eosId()).isEqualTo(2);
            assertThat(tokenizer.padId()).isEqualTo(0);
            assertThat(tokenizer.encode("<|im_start|>hi<|im_end|>")).containsExactly(1, 'h' + 3, 'i' + 3, 2);
        }
    }

    private Path writeRaw(String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length).put(json).put(data);
        Path file = Files.createTempFile(tmp, "raw", ".safetensors");
        Files.write(file, out.array());
        return file;
    }
}
