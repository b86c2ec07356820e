package dev.dpo4j.cli;

import dev.dpo4j.api.data.PreferenceExample;
import dev.dpo4j.api.template.PromptTemplate;
import dev.dpo4j.core.data.PairEncoder;
import dev.dpo4j.core.data.TokenizedPair;
import dev.dpo4j.core.tokenizer.HfTokenizer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;

/**
 * The first training pair as the template renders it, with its token counts as the trainer counts them (BOS and EOS
 * included, before any truncation), so that a user can check the template before a long run.
 */
final class ExamplePreview {

    static final int MAX_LINES = 8;
    static final int MAX_CHARS = 160;

    private final PromptTemplate template;
    private final Path modelDir;
    private final Iterable<PreferenceExample> train;

    ExamplePreview(PromptTemplate template, Path modelDir, Iterable<PreferenceExample> train) {
        this.template = template;
        this.modelDir = modelDir;
        this.train = train;
    }

    /** Prints the rows of the start-up report; nothing if there is no pair. */
    void print(PrintStream out) {
        Iterator<PreferenceExample> it = train.iterator();
        if (!it.hasNext()) {
            return;
        }
        PreferenceExample first = it.next();
        String prompt = template.renderPrompt(first.prompt());
        String chosen = template.renderCompletion(first.prompt(), first.chosen());
        String rejected = template.renderCompletion(first.prompt(), first.rejected());
        try (HfTokenizer tokenizer = HfTokenizer.load(modelDir)) {
            TokenizedPair pair = new PairEncoder(template, tokenizer, 0, 0, 0).encode(first).orElseThrow();
            out.printf("  %-13s the first training pair as the template renders it: prompt %d tokens, chosen %d, "
                    + "rejected %d (BOS and EOS included)%n", "example", pair.prompt().length, pair.chosen().length,
                    pair.rejected().length);
        }
        block(out, "prompt", prompt);
        block(out, "chosen", chosen);
        block(out, "rejected", rejected);
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
