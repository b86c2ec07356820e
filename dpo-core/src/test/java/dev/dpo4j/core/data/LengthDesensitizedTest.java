package dev.dpo4j.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** LD-DPO's weighted sums of known per-token log-probs, worked out by hand, in both layouts. */
class LengthDesensitizedTest {

    /** Pair 0: chosen 3 tokens, rejected 1 (shared length 1); pair 1: chosen 2, rejected 4 (shared length 2). */
    private static final List<TokenizedPair> PAIRS = List.of(
            new TokenizedPair(new int[] {3, 4}, new int[] {5, 6, 7}, new int[] {8}),
            new TokenizedPair(new int[] {3}, new int[] {9, 10}, new int[] {11, 12, 13, 14}));
    /** Per-token log-probs in the batch's token order: chosen 0, chosen 1, rejected 0, rejected 1. */
    private static final float[] TOKEN_LOGPS = {-1, -2, -3, -0.5f, -1.5f, -4, -1, -1, -2, -3};

    @ParameterizedTest(name = "shared prompt {0}")
    @ValueSource(booleans = {false, true})
    void tokensPastTheShorterCompletionCountAlphaTimes(boolean sharePrompt) {
        // chosen 0: -1 + a (-2 - 3); chosen 1: -0.5 - 1.5; rejected 0: -4; rejected 1: -1 - 1 + a (-2 - 3)
        assertThat(sums(sharePrompt, 0.5)).containsExactly(new float[] {-3.5f, -2f, -4f, -4.5f}, within(1e-6f));
        assertThat(sums(sharePrompt, 0.0)).containsExactly(new float[] {-1f, -2f, -4f, -2f}, within(1e-6f));
        assertThat(sums(sharePrompt, 1.0)).containsExactly(new float[] {-6f, -2f, -4f, -7f}, within(1e-6f));
        assertThat(sums(sharePrompt, null)).containsExactly(new float[] {-6f, -2f, -4f, -7f}, within(1e-6f));
    }

    @Test
    void theWeightsFollowTheShorterCompletionOfEachPair() {
        PairBatch batch = new PairCollator(0, 1, false, 0.25).collate(PAIRS);
        assertThat(batch.logpWeights()).containsExactly(1f, 0.25f, 0.25f, 1f, 1f, 1f, 1f, 1f, 0.25f, 0.25f);
        assertThat(new PairCollator(0, 1).collate(PAIRS).logpWeights()).isNull();
        try (NDManager manager = NDManager.newBaseManager()) {
            PairBatch.Arrays plain = new PairCollator(0, 1).collate(PAIRS).toArrays(manager);
            assertThat(plain.logpSegments()).isSameAs(plain.segments());
            PairBatch.Arrays weighted = batch.toArrays(manager);
            assertThat(weighted.segments().toFloatArray()).isEqualTo(plain.segments().toFloatArray());
        }
    }

    @Test
    void anAlphaOutsideZeroToOneIsRefusedNamingTheOption() {
        assertThatThrownBy(() -> new PairCollator(0, 1, false, 1.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ld_alpha must be in [0, 1], got 1.5");
        assertThatThrownBy(() -> new PairCollator(0, 1, false, Double.NaN))
                .hasMessageContaining("ld_alpha");
    }

    private static float[] sums(boolean sharePrompt, Double alpha) {
        PairBatch batch = new PairCollator(0, 1, sharePrompt, alpha).collate(PAIRS);
        assertThat(batch.targets()).containsExactly(5, 6, 7, 9, 10, 8, 11, 12, 13, 14);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray logps = manager.create(TOKEN_LOGPS);
            return batch.toArrays(manager).logpSegments().matMul(logps).toFloatArray();
        }
    }
}
