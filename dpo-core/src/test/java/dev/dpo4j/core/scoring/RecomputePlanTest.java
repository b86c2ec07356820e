package dev.dpo4j.core.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dpo4j.core.data.PairCollator;
import dev.dpo4j.core.data.TokenizedPair;
import dev.dpo4j.core.memory.Activations;
import dev.dpo4j.core.memory.DeviceMemory;
import dev.dpo4j.core.memory.HeadChunks;
import dev.dpo4j.core.model.ModelConfig;
import dev.dpo4j.testing.TinyModels;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The decisions of {@code gradient_checkpointing}: what a micro-batch recomputes and its head chunks. */
class RecomputePlanTest {

    private static final ModelConfig LLAMA = TinyModels.config("llama", 50, false);
    /** The plain pass's head chunk for the 50-token vocabulary. */
    private static final long PLAIN_CHUNK = RecomputePlan.headChunkElements(50);

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
        RecomputePlan auto = RecomputePlan.of(null, activations, () -> {
            reads.incrementAndGet();
            return shortBytes;
        });
        assertThat(auto.automatic()).isTrue();
        assertThat(auto.decide(shortBatch, 2, 50).recomputedLayers()).isZero(); // exactly at the budget: fits
        assertThat(auto.decide(longBatch, 2, 50).recomputedLayers()).isPositive();
        assertThat(reads).hasValue(1);
        assertThat(RecomputePlan.of(true, activations, () -> 0).decide(shortBatch, 2, 50).recomputedLayers())
                .isEqualTo(2);
        assertThat(RecomputePlan.of(false, activations, () -> 0).decide(longBatch, 2, 50).recomputedLayers())
                .isZero();
        // no GPU: nothing is recomputed
        assertThat(RecomputePlan.of(null, activations, () -> DeviceMemory.activationBudget(
                List.of(ai.djl.Device.cpu()), 1 << 20)).decide(longBatch, 2, 50).recomputedLayers()).isZero();
    }

    @Test
    void autoCountsASharedBatchByItsViews() {
        Activations activations = new Activations(LLAMA, 2);
        // auto counts a shared batch by its views: 2 pairs whose longest prompt plus completion is 6 tokens
        var shared = new PairCollator(0, 1, true).collate(List.of(
                new TokenizedPair(new int[] {3, 4, 5}, new int[] {6, 7, 2}, new int[] {8, 2}),
                new TokenizedPair(new int[] {3}, new int[] {6, 2}, new int[] {8, 9, 2})));
        assertThat(shared.viewTokens()).isEqualTo(2L * 2 * 6);
        long rowTokens = (long) shared.rows() * shared.length();
        long budget = activations.plain(rowTokens, shared.viewTokens(), shared.targets().length, PLAIN_CHUNK);
        assertThat(RecomputePlan.of(null, activations, () -> budget).decide(shared, LLAMA.numLayers(), 50)
                .recomputedLayers())
                .isZero();
        assertThat(RecomputePlan.of(null, activations, () -> budget - 1)
                .decide(shared, LLAMA.numLayers(), 50).recomputedLayers()).isPositive();
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
        long large = RecomputePlan.headChunkElements(40_000);
        long small = RecomputePlan.recomputedHeadChunkElements(40_000);
        assertThat(large).isEqualTo(4 * small);
        int layers = config.numLayers();
        long everyLayerLarge = activations.kept(rowTokens, 0, scored, layers, new HeadChunks(large, large));
        RecomputePlan.Decision roomy = RecomputePlan.of(null, activations, () -> everyLayerLarge)
                .decide(batch, layers, 40_000);
        assertThat(roomy).isEqualTo(new RecomputePlan.Decision(activations.layersToRecompute(rowTokens, 0, scored,
                everyLayerLarge, new HeadChunks(large, large)), large));
        assertThat(roomy.recomputedLayers()).isPositive();
        RecomputePlan.Decision tight = RecomputePlan.of(null, activations, () -> everyLayerLarge - 1)
                .decide(batch, layers, 40_000);
        assertThat(tight.headChunkElements()).isEqualTo(small);
        assertThat(tight.recomputedLayers()).isEqualTo(activations.layersToRecompute(rowTokens, 0, scored,
                everyLayerLarge - 1, new HeadChunks(large, small)));
        // gradient_checkpointing true takes the small chunks whatever the budget
        assertThat(RecomputePlan.of(true, activations, () -> Long.MAX_VALUE).decide(batch, layers, 40_000))
                .isEqualTo(new RecomputePlan.Decision(layers, small));
    }
}
