package dev.dpo4j.core.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dpo4j.api.data.PreferenceExample;
import dev.dpo4j.api.template.PromptTemplate;
import dev.dpo4j.core.tokenizer.TextTokenizer;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class PairCollatorTest {

    /** One token per character, BOS 1, EOS 2, pad 0. */
    private static final TextTokenizer CHARS = new TextTokenizer() {
        @Override
        public int[] encode(String text) {
            return text.chars().toArray();
        }

        @Override
        public OptionalInt bosId() {
            return OptionalInt.of(1);
        }

        @Override
        public int eosId() {
            return 2;
        }

        @Override
        public int padId() {
            return 0;
        }
    };

    @Test
    void rightPadsChosenThenRejectedAndListsCompletionPositions() {
        TokenizedPair a = new TokenizedPair(new int[] {10, 11}, new int[] {20, 2}, new int[] {30, 31, 2});
        TokenizedPair b = new TokenizedPair(new int[] {12}, new int[] {21, 2}, new int[] {2});
        PairBatch batch = new PairCollator(0, 4).collate(List.of(a, b));

        assertThat(batch.length()).isEqualTo(8); // longest is 2 + 3 = 5, rounded up to a multiple of 4
        assertThat(batch.inputIds()).containsExactly(
                10, 11, 20, 2, 0, 0, 0, 0, // chosen of a
                12, 21, 2, 0, 0, 0, 0, 0, // chosen of b
                10, 11, 30, 31, 2, 0, 0, 0, // rejected of a
                12, 2, 0, 0, 0, 0, 0, 0); // rejected of b
        // token 20 at position 2 of sequence 0 is predicted by row 1; 21 at position 1 of sequence 1 by row 8
        assertThat(batch.scoredRows()).containsExactly(1, 2, 8, 9, 17, 18, 19, 24);
        assertThat(batch.targets()).containsExactly(20, 2, 21, 2, 30, 31, 2, 2);
        assertThat(batch.sequenceOf()).containsExactly(0, 0, 1, 1, 2, 2, 2, 3);
        assertThat(batch.completionLengths()).containsExactly(2, 2, 3, 1);
        assertThat(batch.policyTokens()).isEqualTo(4 + 3 + 5 + 2);
    }

    @Test
    void sharedPromptPutsEachPairInOneRowAndScoresRejectedTokenZeroFromTheLastPromptToken() {
        TokenizedPair a = new TokenizedPair(new int[] {10, 11}, new int[] {20, 2}, new int[] {30, 31, 2});
        TokenizedPair b = new TokenizedPair(new int[] {12}, new int[] {21, 2}, new int[] {2});
        PairBatch batch = new PairCollator(0, 4, true).collate(List.of(a, b));

        assertThat(batch.shared()).isTrue();
        assertThat(batch.rows()).isEqualTo(2);
        assertThat(batch.length()).isEqualTo(8); // longest row is 2 + 2 + 3 = 7, rounded up to a multiple of 4
        assertThat(batch.inputIds()).containsExactly(
                10, 11, 20, 2, 30, 31, 2, 0, // a: prompt, chosen, rejected, pad
                12, 21, 2, 2, 0, 0, 0, 0); // b: prompt, chosen, rejected, pads
        // rejected restarts after the prompt: it stands where it stands in its own unshared row
        assertThat(batch.positionIds()).containsExactly(
                0, 1, 2, 3, 2, 3, 4, 0,
                0, 1, 2, 1, 0, 0, 0, 0);
        assertThat(batch.blocks()).containsExactly(
                0, 0, 1, 1, 2, 2, 2, 3,
                0, 1, 1, 2, 3, 3, 3, 3);
        // chosen of a: 20 by row 1 (prompt token 11), 2 by row 2; chosen of b: 21 by row 8, 2 by row 9;
        // rejected of a: 30 by row 1 (the last prompt token again), 31 by row 4 (30), 2 by row 5 (31);
        // rejected of b: 2 by row 8 (prompt token 12)
        assertThat(batch.scoredRows()).containsExactly(1, 2, 8, 9, 1, 4, 5, 8);
        assertThat(batch.targets()).containsExactly(20, 2, 21, 2, 30, 31, 2, 2);
        assertThat(batch.sequenceOf()).containsExactly(0, 0, 1, 1, 2, 2, 2, 3);
        assertThat(batch.completionLengths()).containsExactly(2, 2, 3, 1);
        // counted as the unshared layout counts them, each prompt twice, so tokens/s compares
        assertThat(batch.policyTokens()).isEqualTo(4 + 3 + 5 + 2);
        // as views for causal attention: [prompt; chosen] and [prompt; rejected] of each row, 5 tokens (a's prompt
        // and rejected), padded with the row's first token; each row token's output comes from its view
        PairBatch.Views views = batch.views();
        assertThat(views.length()).isEqualTo(5);
        assertThat(views.tokens()).containsExactly(
                0, 1, 2, 3, 0, // a chosen
                0, 1, 4, 5, 6, // a rejected
                8, 9, 10, 8, 8, // b chosen
                8, 11, 8, 8, 8); // b rejected
        assertThat(views.sources()).containsExactly(
                0, 1, 2, 3, 7, 8, 9, 0,
                10, 11, 12, 16, 10, 10, 10, 10);

        // as packed sequences: each row's queries as they stand, cut at prompt+chosen, rejected and padding; the
        // rejected queries' keys are the prompt's and their own
        PairBatch.Packed packed = batch.packed();
        assertThat(packed.queryStarts()).containsExactly(0, 4, 7, 8, 11, 12, 16);
        assertThat(packed.keyTokens()).containsExactly(
                0, 1, 2, 3, 0, 1, 4, 5, 6, 7, // a: [prompt; chosen], [prompt; rejected], padding
                8, 9, 10, 8, 11, 12, 13, 14, 15); // b
        assertThat(packed.keyStarts()).containsExactly(0, 4, 9, 10, 13, 15, 19);
        assertThat(packed.longestQuery()).isEqualTo(4);
        assertThat(packed.longestKey()).isEqualTo(5);

        PairBatch unshared = new PairCollator(0, 4, false).collate(List.of(a, b));
        assertThat(unshared.shared()).isFalse();
        assertThat(unshared.rows()).isEqualTo(4);
        assertThat(unshared.positionIds()).isNull();
        assertThat(unshared.targets()).containsExactly(batch.targets());
    }

    @Test
    void aCompletionTokenAtPositionZeroIsNotScoredInEitherLayout() {
        // an empty prompt: nothing predicts the first completion token, as TRL's shifted labels never score it
        TokenizedPair pair = new TokenizedPair(new int[0], new int[] {5, 6}, new int[] {7, 8});
        PairBatch unshared = new PairCollator(0, 1).collate(List.of(pair));
        assertThat(unshared.inputIds()).containsExactly(5, 6, 7, 8);
        assertThat(unshared.scoredRows()).containsExactly(0, 2);
        assertThat(unshared.targets()).containsExactly(6, 8);
        assertThat(unshared.completionLengths()).containsExactly(1, 1);

        PairBatch shared = new PairCollator(0, 1, true).collate(List.of(pair));
        assertThat(shared.inputIds()).containsExactly(5, 6, 7, 8);
        assertThat(shared.positionIds()).containsExactly(0, 1, 0, 1);
        assertThat(shared.blocks()).containsExactly(1, 1, 2, 2);
        assertThat(shared.scoredRows()).containsExactly(0, 2);
        assertThat(shared.targets()).containsExactly(6, 8);
        assertThat(shared.sequenceOf()).containsExactly(0, 1);
        assertThat(shared.completionLengths()).containsExactly(1, 1);
    }

    @Test
    void encoderAddsBosAndEosOnceAndAppliesLimits() {
        PromptTemplate plain = PromptTemplate.plain();
        PairEncoder encoder = new PairEncoder(plain, CHARS, 0, 0, 0);
        TokenizedPair pair = encoder.encode(PreferenceExample.of("ab", "xy", "z")).orElseThrow();
        assertThat(pair.prompt()).containsExactly(1, 'a', 'b', '\n', '\n');
        assertThat(pair.chosen()).containsExactly('x', 'y', 2);
        assertThat(pair.rejected()).containsExactly('z', 2);

        PairEncoder truncating = new PairEncoder(plain, CHARS, 0, 3, 2);
        TokenizedPair cut = truncating.encode(PreferenceExample.of("abcd", "wxyz", "z")).orElseThrow();
        assertThat(cut.prompt()).containsExactly('d', '\n', '\n'); // the prompt keeps its end
        assertThat(cut.chosen()).containsExactly('w', 'x'); // a completion keeps its start

        PairEncoder dropping = new PairEncoder(plain, CHARS, 7, 0, 0);
        assertThat(dropping.encode(PreferenceExample.of("ab", "x", "y"))).isPresent(); // 5 + 2
        assertThat(dropping.encode(PreferenceExample.of("ab", "xy", "y"))).isEmpty(); // 5 + 3 > 7
    }
}
