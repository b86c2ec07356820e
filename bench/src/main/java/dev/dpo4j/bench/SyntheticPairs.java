package dev.dpo4j.bench;

import dev.dpo4j.api.data.ChatMessage;
import dev.dpo4j.api.data.PreferenceExample;
import dev.dpo4j.api.template.PromptTemplate;
import dev.dpo4j.core.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.SplittableRandom;

/** Synthetic preference pairs of random token ids, and the tokenizer and template that read them as such. */
final class SyntheticPairs {

    private SyntheticPairs() {
    }

    /** Synthetic pairs: prompt {@code seq/2} ids, completions {@code seq/2 - 1} ids (the encoder appends EOS). */
    static List<PreferenceExample> pairs(int count, int seq, int vocab, int eos, long seed) {
        return pairs(count, seq, seq / 2, vocab, eos, seed);
    }

    /**
     * Synthetic pairs: prompt {@code prompt} ids, completions {@code seq - prompt - 1} ids (the encoder appends EOS).
     */
    static List<PreferenceExample> pairs(int count, int seq, int prompt, int vocab, int eos, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<PreferenceExample> out = new ArrayList<>(count);
        int completion = seq - prompt - 1;
        for (int i = 0; i < count; i++) {
            out.add(PreferenceExample.of(ids(random, prompt, vocab, eos), ids(random, completion, vocab, eos),
                    ids(random, completion, vocab, eos)));
        }
        return out;
    }

    private static String ids(SplittableRandom random, int n, int vocab, int eos) {
        StringBuilder b = new StringBuilder(n * 7);
        for (int i = 0; i < n; i++) {
            int id;
            do {
                id = 1 + random.nextInt(vocab - 1);
            } while (id == eos);
            if (i > 0) {
                b.append(' ');
            }
            b.append(id);
        }
        return b.toString();
    }

    /** Space-separated token ids; no BOS, pad 0. */
    static final class IdTokenizer implements TextTokenizer {
        private final int eos;

        IdTokenizer(int eos) {
            this.eos = eos;
        }

        @Override
        public int[] encode(String text) {
            String t = text.strip();
            return t.isEmpty() ? new int[0] : Arrays.stream(t.split(" +")).mapToInt(Integer::parseInt).toArray();
        }

        @Override
        public OptionalInt bosId() {
            return OptionalInt.empty();
        }

        @Override
        public int eosId() {
            return eos;
        }

        @Override
        public int padId() {
            return 0;
        }
    }

    /** The prompt is the first message's text, the completion is unchanged. */
    static final class RawTemplate implements PromptTemplate {
        @Override
        public String renderPrompt(List<ChatMessage> messages) {
            return messages.get(0).content();
        }

        @Override
        public String renderCompletion(String completion) {
            return completion;
        }
    }
}
