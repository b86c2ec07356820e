package dev.dpo4j.core.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import dev.dpo4j.core.model.ModelConfig;
import dev.dpo4j.core.scoring.RecomputePlan;
import dev.dpo4j.testing.TinyModels;
import org.junit.jupiter.api.Test;

/** The activation estimate by hand ({@code RecomputePlanTest} checks the decisions it drives). */
class ActivationsTest {

    private static final ModelConfig LLAMA = TinyModels.config("llama", 50, false);
    /** The plain pass's head chunk for the 50-token vocabulary. */
    private static final long PLAIN_CHUNK = RecomputePlan.headChunkElements(50);

    @Test
    void countsTheSavedInputsOfEveryLayerAndTheHead() {
        // the tiny Llama: hidden 32, 4 heads and 2 kv heads of 8, intermediate 64, 2 layers, vocab 50
        assertThat(LLAMA.hiddenSize()).isEqualTo(32);
        assertThat(LLAMA.numHeads() * LLAMA.headDim()).isEqualTo(32);
        assertThat(LLAMA.numKvHeads() * LLAMA.headDim()).isEqualTo(16);
        assertThat(LLAMA.intermediateSize()).isEqualTo(64);
        Activations half = new Activations(LLAMA, 2);
        // 4 * 32 + 3 * (32 + 16) + 4 * 64
        assertThat(half.elementsPerTokenAndLayer()).isEqualTo(128 + 144 + 256);
        // 10 row tokens over 2 layers in 2-byte elements, 3 scored tokens of 50 logits: the log-softmax, the gradient
        // of the gather and of the log-softmax in float32, that gradient in the compute type
        assertThat(half.plain(10, 3, 1 << 20)).isEqualTo(10L * LLAMA.numLayers() * 528 * 2 + 3 * 50 * (4 + 4 + 4 + 2));
        assertThat(new Activations(LLAMA, 4).plain(10, 3, 1 << 20))
                .isEqualTo(10L * LLAMA.numLayers() * 528 * 4 + 3 * 50 * 16);
        // a head in chunks of one token's logits: every chunk's log-softmax, one chunk's gradients
        assertThat(half.plain(10, 3, 50)).isEqualTo(10L * LLAMA.numLayers() * 528 * 2 + 3 * 50 * 4 + 50 * 10);
        // each layer's input and the embedding's output, one layer recomputed, one head chunk of 100 logits at 14 bytes
        assertThat(half.recomputed(10, 100)).isEqualTo(10L * (LLAMA.numLayers() + 1) * 32 * 2 + 2 * 10 * 528 * 2
                + 100 * 14);
        // only one layer's activations grow with the layer count, not all of them
        assertThat(half.recomputed(2000, 100) - half.recomputed(1000, 100))
                .isEqualTo(1000L * ((LLAMA.numLayers() + 1) * 32 * 2 + 2 * 528 * 2));
        // a head chunk holds no more than every token's logits: 1 token of a 50-token vocabulary
        assertThat(half.recomputed(1, 1 << 20)).isEqualTo((LLAMA.numLayers() + 1) * 32 * 2 + 2 * 528 * 2 + 50 * 14);
    }

    @Test
    void autoRecomputesAsFewLayersAsFit() {
        ModelConfig deep = deep(8);
        Activations activations = new Activations(deep, 2);
        long perLayer = 100L * 528 * 2;
        // 100 row tokens: the inputs of the recomputed layers and the embedding, the graph of the others and one
        // layer's gradients, one head chunk of 100 logits
        assertThat(activations.partial(100, 3, 100)).isEqualTo(100L * 4 * 32 * 2 + 5 * perLayer + perLayer + 1400);
        assertThat(activations.partial(100, 8, 100)).isEqualTo(activations.recomputed(100, 100))
                .isEqualTo(100L * 9 * 32 * 2 + 2 * perLayer + 1400);
        long budget = activations.partial(100, 3, 100);
        HeadChunks chunks = new HeadChunks(PLAIN_CHUNK, 100);
        assertThat(activations.layersToRecompute(100, 10, budget, chunks)).isEqualTo(3);
        assertThat(activations.layersToRecompute(100, 10, budget - 1, chunks)).isEqualTo(4);
        assertThat(activations.layersToRecompute(100, 10, activations.plain(100, 10, PLAIN_CHUNK), chunks)).isZero();
        assertThat(activations.layersToRecompute(100, 10, 0, chunks)).as("nothing fits: all").isEqualTo(8);
    }

    @Test
    void sharedRowsCountTheirViewsAttention() {
        Activations activations = new Activations(LLAMA, 2);
        // per row token: norms 4 * 32, MLP 4 * 64 and the scattered attention output 32; per view token the gathered
        // queries, keys and values and the views' output, 3 * (32 + 16)
        long expected = (10L * (128 + 256 + 32) + 16L * 3 * (32 + 16)) * 2;
        assertThat(activations.plain(10, 16, 3, 1 << 20)).isEqualTo(LLAMA.numLayers() * expected + 3 * 50 * 14);
        assertThat(activations.plain(10, 0, 3, 100)).isEqualTo(activations.plain(10, 3, 100));
        assertThat(activations.partial(10, 16, 1, 100)).isGreaterThan(activations.partial(10, 1, 100));
    }

    @Test
    void aGpuMemoryLimitIsReadInGibAndABadOneNamed() {
        System.setProperty(DeviceMemory.LIMIT_PROPERTY, "1.5");
        try {
            assertThat(DeviceMemory.limit()).isEqualTo(3L << 29);
            System.setProperty(DeviceMemory.LIMIT_PROPERTY, "lots");
            assertThatThrownBy(DeviceMemory::limit).hasMessage(DeviceMemory.LIMIT_PROPERTY
                    + " must be a number of GiB, got 'lots'");
        } finally {
            System.clearProperty(DeviceMemory.LIMIT_PROPERTY);
        }
        assertThat(DeviceMemory.limit()).isEqualTo(Long.MAX_VALUE);
    }

    /** The tiny Llama with {@code layers} decoder layers. */
    static ModelConfig deep(int layers) {
        JsonObject json = TinyModels.json("llama", 50, false);
        json.addProperty("num_hidden_layers", layers);
        return ModelConfig.fromJson(json, "deep");
    }
}
