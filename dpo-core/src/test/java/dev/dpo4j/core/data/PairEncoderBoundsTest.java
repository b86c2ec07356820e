package dev.dpo4j.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dpo4j.api.data.DataFormatException;
import dev.dpo4j.api.data.PreferenceExample;
import dev.dpo4j.api.template.PromptTemplate;
import dev.dpo4j.core.tokenizer.TextTokenizer;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** One huge row never reaches the tokenizer whole (issue 25: a 50 MB prompt took 12 GB, then a native abort). */
class PairEncoderBoundsTest {

    /** One token per character; refuses (as the native tokenizer runs out of memory) any text over 64 KiB. */
    private static final TextTokenizer GUARDED = new TextTokenizer() {
        @Override
        public int[] encode(String text) {
            if (text.length() > (1 << 16)) {
                throw new IllegalStateException("tokenized a text of " + text.length() + " characters whole");
            }
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

    private static final String HUGE = "a".repeat(5_000_000);

    @Test
    void aPairThatCannotFitMaxLengthIsDroppedAndCountedWithoutBeingTokenized() {
        PairEncoder encoder = new PairEncoder(PromptTemplate.plain(), GUARDED, 64, 0, 0);
        PreparedData data = PreparedData.of(List.of(PreferenceExample.of("hi", "x", "y"),
                PreferenceExample.of(HUGE, "x", "y"), PreferenceExample.of("hi", "x", HUGE)), encoder);
        assertThat(data.pairs()).hasSize(1);
        assertThat(data.dropped()).isEqualTo(2);
    }

    @Test
    void truncatedTextsAreCutBeforeTokenizingAndKeepTheSameTokens() {
        PairEncoder encoder = new PairEncoder(PromptTemplate.plain(), GUARDED, 0, 4, 3);
        String prompt = "b".repeat(3_000_000) + "wxyz";
        TokenizedPair pair = encoder.encode(PreferenceExample.of(prompt, "c" + HUGE, "de")).orElseThrow();
        assertThat(pair.prompt()).containsExactly('y', 'z', '\n', '\n'); // plain: prompt + a blank line, last 4 kept
        assertThat(pair.chosen()).containsExactly('c', 'a', 'a');
        assertThat(pair.rejected()).containsExactly('d', 'e', 2);
    }

    @Test
    void withoutALimitAHugeTextIsAnErrorNamingTheRowAndField() {
        PairEncoder encoder = new PairEncoder(PromptTemplate.plain(), GUARDED, 0, 0, 0);
        assertThatThrownBy(() -> PreparedData.of(List.of(PreferenceExample.of("hi", "x", "y"),
                PreferenceExample.of("hi", HUGE, "y")), encoder))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("row 1")
                .hasMessageContaining("field 'chosen'")
                .hasMessageContaining("max_length");
    }

    @Test
    void aPairThatMayFitIsStillTokenizedAndMeasured() {
        PairEncoder encoder = new PairEncoder(PromptTemplate.plain(), GUARDED, 600, 0, 0);
        // 1,000 characters could be 4 tokens of 256 characters: tokenized, then dropped on its real length
        assertThat(encoder.encode(PreferenceExample.of("p".repeat(1000), "x", "y"))).isEmpty();
        assertThat(encoder.encode(PreferenceExample.of("p".repeat(500), "x", "y"))).isPresent();
    }
}
