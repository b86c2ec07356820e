package dev.dpo4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.dpo4j.api.data.PreferenceExample;
import dev.dpo4j.core.checkpoint.Safetensors;
import dev.dpo4j.testing.TinyModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class RefLogpsCacheTest extends TinyModelTraining {

    private DpoTrainer.Builder cached(Path out, Path cache) {
        return trainer(out).learningRate(2e-3).perDeviceTrainBatchSize(4).loggingSteps(1).seed(11).maxSteps(3)
                .evalData(TinyModels.arithmetic(6)).precomputeRefLogProbs(true).refLogpsCacheDir(cache);
    }

    @Test
    void aSecondRunReusesTheCacheAndTrainsIdentically() throws IOException {
        Path cache = tmp.resolve("cache");
        cached(tmp.resolve("first"), cache).build().train();
        Path file = onlyFile(cache);
        byte[] written = Files.readAllBytes(file);
        long modified = Files.getLastModifiedTime(file).toMillis();

        cached(tmp.resolve("second"), cache).build().train();
        assertThat(onlyFile(cache)).isEqualTo(file);
        assertThat(Files.readAllBytes(file)).as("nothing new was scored").isEqualTo(written);
        assertThat(Files.getLastModifiedTime(file).toMillis()).isEqualTo(modified);
        assertThat(metrics(tmp.resolve("second"))).isEqualTo(metrics(tmp.resolve("first"))).hasSize(4);
    }

    @Test
    void changedPairsTruncationOrAnotherReferenceMiss() throws IOException {
        Path cache = tmp.resolve("cache");
        cached(tmp.resolve("a"), cache).build().train();
        Path file = onlyFile(cache);
        int held = pairsIn(file);
        assertThat(held).as("the 6 eval pairs are the first 6 training pairs").isEqualTo(16);

        List<PreferenceExample> changed = new ArrayList<>(TinyModels.arithmetic(16));
        changed.set(5, PreferenceExample.of("What is 6+2?", "It is 8!", "It is 11."));
        cached(tmp.resolve("b"), cache).trainData(changed).build().train();
        assertThat(pairsIn(file)).as("only the changed pair was scored").isEqualTo(held + 1);

        cached(tmp.resolve("c"), cache).maxPromptLength(8).build().train();
        assertThat(pairsIn(file)).as("truncated prompts are other token ids").isGreaterThan(held + 1);

        Path other = TinyModels.writeModel(tmp.resolve("other-model"), "qwen2", 4);
        cached(tmp.resolve("d"), cache).referenceModelNameOrPath(other.toString()).build().train();
        try (Stream<Path> files = Files.list(cache)) {
            assertThat(files.filter(f -> f.toString().endsWith(".safetensors")).count()).isEqualTo(2);
        }
    }

    @Test
    void theBatchOfThePrecomputeChangesNotTheValues() throws IOException {
        cached(tmp.resolve("one"), tmp.resolve("cache-1")).precomputeRefBatchSize(1).maxSteps(1).build().train();
        cached(tmp.resolve("all"), tmp.resolve("cache-16")).precomputeRefBatchSize(16).maxSteps(1).build().train();
        Map<String, float[]> single = logps(onlyFile(tmp.resolve("cache-1")));
        Map<String, float[]> batched = logps(onlyFile(tmp.resolve("cache-16")));
        assertThat(batched.keySet()).isEqualTo(single.keySet()).hasSize(16);
        // padding to the batch's longest pair changes float32 rounding in attention and the LM head, not the math
        single.forEach((key, values) -> {
            assertThat(batched.get(key)[0]).isCloseTo(values[0], within(1e-5f * Math.abs(values[0])));
            assertThat(batched.get(key)[1]).isCloseTo(values[1], within(1e-5f * Math.abs(values[1])));
        });
    }

    @Test
    void theCacheNeedsThePrecompute() {
        assertThatThrownBy(() -> trainer(tmp.resolve("x")).refLogpsCacheDir(tmp.resolve("cache")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ref_logps_cache_dir keeps precomputed reference log-probs, so it needs "
                        + "precompute_ref_log_probs");
        assertThatThrownBy(() -> trainer(tmp.resolve("x")).precomputeRefBatchSize(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("precompute_ref_batch_size");
    }

    private static Path onlyFile(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            List<Path> all = files.toList();
            assertThat(all).hasSize(1);
            return all.get(0);
        }
    }

    private static int pairsIn(Path file) {
        return (int) Safetensors.header(file).tensors().get("chosen_logps").shape().get(0);
    }

    /** Each pair's chosen and rejected log-probs, by its key. */
    private static Map<String, float[]> logps(Path file) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = Safetensors.read(file, manager, DataType.FLOAT32);
            long[] keys = tensors.get("pair_keys").toLongArray();
            float[] chosen = tensors.get("chosen_logps").toFloatArray();
            float[] rejected = tensors.get("rejected_logps").toFloatArray();
            Map<String, float[]> byKey = new HashMap<>();
            for (int i = 0; i < chosen.length; i++) {
                byKey.put(keys[2 * i] + ":" + keys[2 * i + 1], new float[] {chosen[i], rejected[i]});
            }
            return byKey;
        }
    }

    /** The metrics rows without the throughput, which depends on the machine's speed. */
    private static List<JsonObject> metrics(Path out) throws IOException {
        List<JsonObject> rows = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
            JsonObject row = JsonParser.parseString(line).getAsJsonObject();
            row.keySet().removeIf(key -> key.endsWith("tokens_per_second"));
            rows.add(row);
        }
        return rows;
    }
}
