package dev.dpo4j.cli;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.dpo4j.api.data.PreferenceExample;
import dev.dpo4j.api.template.PromptTemplate;
import dev.dpo4j.core.data.PairEncoder;
import dev.dpo4j.core.data.TokenizedPair;
import dev.dpo4j.core.tokenizer.HfTokenizer;
import dev.dpo4j.hub.ModelFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The first training pair as the template renders it, with its token counts as the trainer counts them (BOS and EOS
 * included), so that a user can check the template before a long run. With {@code max_prompt_length} or
 * {@code max_target_length} it shows what will be trained: the truncation is {@link PairEncoder}'s own (the prompt
 * keeps its last tokens, a completion its first), each cut part is shown as its kept tokens decoded, and the counts
 * say what they were cut from; a pair that {@code max_length} drops says so.
 */
final class ExamplePreview {

    static final int MAX_LINES = 8;
    static final int MAX_CHARS = 160;

    private final PromptTemplate template;
    private final Path modelDir;
    private final Iterable<PreferenceExample> train;
    private final int maxLength;
    private final int maxPromptLength;
    private final int maxTargetLength;

    ExamplePreview(PromptTemplate template, Path modelDir, Iterable<PreferenceExample> train) {
        this(template, modelDir, train, 0, 0, 0);
    }

    /** With the run's length limits ({@code max_length}, {@code max_prompt_length}, {@code max_target_length}). */
    ExamplePreview(PromptTemplate template, Path modelDir, Iterable<PreferenceExample> train, int maxLength,
            int maxPromptLength, int maxTargetLength) {
        this.template = template;
        this.modelDir = modelDir;
        this.train = train;
        this.maxLength = maxLength;
        this.maxPromptLength = maxPromptLength;
        this.maxTargetLength = maxTargetLength;
    }

    /** Prints the rows of the start-up report; nothing if there is no pair. */
    void print(PrintStream out) {
        Iterator<PreferenceExample> it = train.iterator();
        if (!it.hasNext()) {
            return;
        }
        PreferenceExample first = it.next();
        String prompt = template.renderPrompt(first.prompt());
        String chosen = template.renderCompletion(first.prompt(), first.chosenMessages());
        String rejected = template.renderCompletion(first.prompt(), first.rejectedMessages());
        try (HfTokenizer tokenizer = HfTokenizer.load(modelDir)) {
            TokenizedPair whole = new PairEncoder(template, tokenizer, 0, 0, 0).encode(first).orElseThrow();
            TokenizedPair kept = new PairEncoder(template, tokenizer, 0, maxPromptLength, maxTargetLength)
                    .encode(first).orElseThrow();
            boolean promptCut = kept.prompt().length < whole.prompt().length;
            boolean chosenCut = kept.chosen().length < whole.chosen().length;
            boolean rejectedCut = kept.rejected().length < whole.rejected().length;
            if (!promptCut && !chosenCut && !rejectedCut) {
                out.printf("  %-13s the first training pair as the template renders it: prompt %d tokens, chosen %d, "
                        + "rejected %d (BOS and EOS included)%n", "example", whole.prompt().length,
                        whole.chosen().length, whole.rejected().length);
            } else {
                out.printf("  %-13s the first training pair as it will be trained: prompt %d tokens%s, chosen %d%s, "
                        + "rejected %d%s (BOS and EOS included; cut parts shown as their kept tokens)%n", "example",
                        kept.prompt().length, cut(promptCut, whole.prompt().length, "max_prompt_length",
                        maxPromptLength, "last"), kept.chosen().length, cut(chosenCut, whole.chosen().length,
                        "max_target_length", maxTargetLength, "first"), kept.rejected().length,
                        cut(rejectedCut, whole.rejected().length, "max_target_length", maxTargetLength, "first"));
                try (Decoder decoder = new Decoder(modelDir)) {
                    prompt = promptCut ? decoder.decode(kept.prompt()) : prompt;
                    chosen = chosenCut ? decoder.decode(kept.chosen()) : chosen;
                    rejected = rejectedCut ? decoder.decode(kept.rejected()) : rejected;
                }
            }
            if (maxLength > 0 && kept.length() > maxLength) {
                out.printf("  %-13s this pair has %d tokens (prompt plus the longer completion), more than max_length "
                        + "%d: it is dropped and not trained%n", "", kept.length(), maxLength);
            }
        }
        block(out, "prompt", prompt);
        block(out, "chosen", chosen);
        block(out, "rejected", rejected);
    }

    private static String cut(boolean cut, int from, String option, int limit, String which) {
        return cut ? " (cut from " + from + " by " + option + " " + limit + ", which keeps the " + which + " " + limit
                + ")" : "";
    }

    /** The model's tokenizer.json, loaded only to show truncated parts as text. */
    private static final class Decoder implements AutoCloseable {

        private final HuggingFaceTokenizer tokenizer;

        Decoder(Path modelDir) {
            Path file = modelDir.resolve(ModelFiles.TOKENIZER);
            try {
                tokenizer = HuggingFaceTokenizer.newInstance(file, Map.of("addSpecialTokens", "false"));
            } catch (IOException e) {
                throw new UncheckedIOException(file + ": cannot load tokenizer: " + e.getMessage(), e);
            }
        }

        String decode(int[] ids) {
            long[] longs = new long[ids.length];
            for (int i = 0; i < ids.length; i++) {
                longs[i] = ids[i];
            }
            return tokenizer.decode(longs, false);
        }

        @Override
        public void close() {
            tokenizer.close();
        }
    }

    /** The text's lines under a label, at most {@link #MAX_LINES} of at most {@link #MAX_CHARS} characters. */
    static void block(PrintStream out, String label, String text) {
        List<String> lines = text.lines().toList();
        for (int i = 0; i < Math.min(lines.size(), MAX_LINES); i++) {
            String line = lines.get(i);
            if (line.length() > MAX_CHARS) {
                line = line.substring(0, MAX_CHARS) + "... (" + (line.length() - MAX_CHARS) + " more characters)";
            }
            out.printf("    %-8s | %s%n", i == 0 ? label : "", line);
        }
        if (lines.size() > MAX_LINES) {
            out.printf("    %-8s | ... (%d more lines)%n", "", lines.size() - MAX_LINES);
        }
    }
}
