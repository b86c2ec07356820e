package dev.dpo4j.core.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import dev.dpo4j.core.data.PairCollator;
import dev.dpo4j.core.data.TokenizedPair;
import dev.dpo4j.core.internal.step.Checkpointing;
import dev.dpo4j.core.model.ModelConfig;
import dev.dpo4j.core.scoring.CompletionScorer;
import dev.dpo4j.testing.TinyModels;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The activation estimate by hand, and the decisions of {@code gradient_checkpointing} it drives. */
class ActivationsTest {

    private static final ModelConfig LLAMA = TinyModels.config("llama", 50, false);
    /** The plain pass's head chunk for the 50-token vocabulary. */
    private static final long PLAIN_CHUNK = CompletionScorer.headChunkElements(50);

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
        assertThat(half.checkpointed(10, 100)).isEqualTo(10L * (LLAMA.numLayers() + 1) * 32 * 2 + 2 * 10 * 528 * 2
                + 100 * 14);
        // only one layer's activations grow with the layer count, not all of them
        assertThat(half.checkpointed(2000, 100) - half.checkpointed(1000, 100))
                .isEqualTo(1000L * ((LLAMA.numLayers() + 1) * 32 * 2 + 2 * 528 * 2));
        // a head chunk holds no more than every token's logits: 1 token of a 50-token vocabulary
        assertThat(half.checkpointed(1, 1 << 20)).isEqualTo((LLAMA.numLayers() + 1) * 32 * 2 + 2 * 528 * 2 + 50 * 14);
    }

    @Test
    void autoRecomputesOnlyMicroBatchesOverTheBudgetAndReadsTheBudgetOnce() {
        Activations activations = new Activations(LLAMA, 4);
        var shortBatch = new PairCollator(0, 1).collate(List.of(new TokenizedPair(new int[] {3}, new int[] {4, 2},
                new int[] {5, 2})));
        var longBatch = new PairCollator(0, 1).collate(List.of(new TokenizedPair(new int[40], new int[40],
                new int[40])));
        long shortBytes = activations.plain((long) shortBatch.rows() * shortBatch.length(),
                shortBatch.targets().length, PLAIN_CHUNK);
        AtomicInteger reads = new AtomicInteger();
        Checkpointing auto = Checkpointing.of(null, activations, () -> {
            reads.incrementAndGet();
            return shortBytes;
        });
        assertThat(auto.automatic()).isTrue();
        assertThat(auto.plan(shortBatch, 2, 50).recomputedLayers()).isZero(); // exactly at the budget: fits
        assertThat(auto.plan(longBatch, 2, 50).recomputedLayers()).isPositive();
        assertThat(reads).hasValue(1);
        assertThat(Checkpointing.of(true, activations, () -> 0).plan(shortBatch, 2, 50).recomputedLayers())
                .isEqualTo(2);
        assertThat(Checkpointing.of(false, activations, () -> 0).plan(longBatch, 2, 50).recomputedLayers())
                .isZero();
        // no GPU: nothing is recomputed
        assertThat(Checkpointing.of(null, activations, () -> DeviceMemory.activationBudget(
                List.of(ai.djl.Device.cpu()), 1 << 20)).plan(longBatch, 2, 50).recomputedLayers()).isZero();
    }

    @Test
    void autoRecomputesAsFewLayersAsFit() {
        ModelConfig deep = deep(8);
        Activations activations = new Activations(deep, 2);
        long perLayer = 100L * 528 * 2;
        // 100 row tokens: the inputs of the recomputed layers and the embedding, the graph of the others and one
        // layer's gradients, one head chunk of 100 logits
        assertThat(activations.partial(100, 3, 100)).isEqualTo(100L * 4 * 32 * 2 + 5 * perLayer + perLayer + 1400);
        assertThat(activations.partial(100, 8, 100)).isEqualTo(activations.checkpointed(100, 100))
                .isEqualTo(100L * 9 * 32 * 2 + 2 * perLayer + 1400);
        long budget = activations.partial(100, 3, 100);
        assertThat(activations.layersToRecompute(100, 10, budget, 100)).isEqualTo(3);
        assertThat(activations.layersToRecompute(100, 10, budget - 1, 100)).isEqualTo(4);
        assertThat(activations.layersToRecompute(100, 10, activations.plain(100, 10, PLAIN_CHUNK), 100)).isZero();
        assertThat(activations.layersToRecompute(100, 10, 0, 100)).as("nothing fits: all").isEqualTo(8);
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

        // auto counts a shared batch by its views: 2 pairs whose longest prompt plus completion is 6 tokens
        var shared = new PairCollator(0, 1, true).collate(List.of(
                new TokenizedPair(new int[] {3, 4, 5}, new int[] {6, 7, 2}, new int[] {8, 2}),
                new TokenizedPair(new int[] {3}, new int[] {6, 2}, new int[] {8, 9, 2})));
        assertThat(shared.viewTokens()).isEqualTo(2L * 2 * 6);
        long rowTokens = (long) shared.rows() * shared.length();
        long budget = activations.plain(rowTokens, shared.viewTokens(), shared.targets().length, PLAIN_CHUNK);
        assertThat(Checkpointing.of(null, activations, () -> budget).plan(shared, LLAMA.numLayers(), 50)
                .recomputedLayers())
                .isZero();
        assertThat(Checkpointing.of(null, activations, () -> budget - 1)
                .plan(shared, LLAMA.numLayers(), 50).recomputedLayers()).isPositive();
    }

    @Test
    void autoTakesThePlainPassesHeadChunksWhereRecomputingEveryLayerLeavesRoomForThem() {
        // a vocabulary of 40k: chunks of 2048 tokens (the plain pass's) and of 512 (a recomputing pass's) differ
        ModelConfig config = TinyModels.config("llama", 40_000, false);
        Activations activations = new Activations(config, 2);
        var batch = new PairCollator(0, 1, false).collate(List.of(new TokenizedPair(new int[1000], new int[1500],
                new int[1500])));
        long rowTokens = (long) batch.rows() * batch.length();
        long scored = batch.targets().length;
        assertThat(scored).isGreaterThan(2048);
        long large = CompletionScorer.headChunkElements(40_000);
        long small = CompletionScorer.recomputedHeadChunkElements(40_000);
        assertThat(large).isEqualTo(4 * small);
        int layers = config.numLayers();
        long everyLayerLarge = activations.kept(rowTokens, 0, scored, layers, large);
        Checkpointing.Plan roomy = Checkpointing.of(null, activations, () -> everyLayerLarge)
                .plan(batch, layers, 40_000);
        assertThat(roomy).isEqualTo(new Checkpointing.Plan(activations.layersToRecompute(rowTokens, 0, scored,
                everyLayerLarge, large), large));
        assertThat(roomy.recomputedLayers()).isPositive();
        Checkpointing.Plan tight = Checkpointing.of(null, activations, () -> everyLayerLarge - 1)
                .plan(batch, layers, 40_000);
        assertThat(tight.headChunkElements()).isEqualTo(small);
        assertThat(tight.recomputedLayers()).isEqualTo(activations.layersToRecompute(rowTokens, 0, scored,
                everyLayerLarge - 1, small));
        // gradient_checkpointing true takes the small chunks whatever the budget
        assertThat(Checkpointing.of(true, activations, () -> Long.MAX_VALUE).plan(batch, layers, 40_000))
                .isEqualTo(new Checkpointing.Plan(layers, small));
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
