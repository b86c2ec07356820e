package dev.dpo4j.adapters.datasets;

import dev.dpo4j.api.NamedChoices;
import dev.dpo4j.api.data.ChatMessage;
import dev.dpo4j.api.data.DatasetAdapter;
import dev.dpo4j.api.data.DatasetRow;
import dev.dpo4j.api.data.PreferenceExample;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * {@code berkeley-nest/Nectar}: {@code prompt} is an Anthropic-style conversation
 * ({@code "\n\nHuman: ...\n\nAssistant: ...\n\nHuman: ...\n\nAssistant:"}, the final empty {@code Assistant:} being the
 * generation slot) and {@code answers} a list of {@code {answer, model, rank}} (rank 1 is best; ranks may be floats).
 * Pairs are chosen by a {@link PairStrategy} ({@code --nectar_pairing}): by default the rank-1 answer against ONE
 * lower-ranked answer drawn at random per row ({@code best_vs_random}, seeded, reproducible); {@code best_vs_worst}
 * and {@code all_pairs} are the alternatives. {@code turns}, {@code num_responses}, {@code source} and
 * {@code good_natured} are not needed.
 */
public final class NectarAdapter implements DatasetAdapter {

    /** The Hub id. */
    public static final String HUB_ID = "berkeley-nest/Nectar";

    private static final String HUMAN = "\n\nHuman:";
    private static final String ASSISTANT = "\n\nAssistant:";

    /** How ranked answers become preference pairs ({@code --nectar_pairing}). */
    public enum PairStrategy {
        /**
         * {@code best_vs_random}: the rank-1 answer against one lower-ranked answer drawn uniformly at random; the draw
         * is seeded with the adapter's seed mixed with the row index, so it does not depend on read order or threads
         * (the default).
         */
        RANDOM_LOWER,
        /** {@code best_vs_worst}: the best-ranked answer against the worst-ranked one. */
        BEST_VS_WORST,
        /** {@code all_pairs}: every pair of answers with different ranks, better one chosen: up to n(n-1)/2 a row. */
        ALL_PAIRS;

        private static final NamedChoices<PairStrategy> NAMES = NamedChoices.<PairStrategy>builder("nectar_pairing")
                .add("best_vs_random", RANDOM_LOWER, "random_lower")
                .add("best_vs_worst", BEST_VS_WORST)
                .add("all_pairs", ALL_PAIRS)
                .build();

        /**
         * The strategy by its option name: {@code best_vs_random} (alias {@code random_lower}), {@code best_vs_worst}
         * or {@code all_pairs}, spelled as {@link dev.dpo4j.api.Names} allows.
         *
         * @throws IllegalArgumentException naming the option and its choices for any other name
         */
        public static PairStrategy byName(String name) {
            return NAMES.get(name);
        }

        /** The option name ({@code best_vs_random}, {@code best_vs_worst} or {@code all_pairs}). */
        public String optionName() {
            return NAMES.names().get(ordinal());
        }
    }

    private final PairStrategy strategy;
    private final long seed;

    /** The default seed of the {@code best_vs_random} draw. */
    public static final long DEFAULT_SEED = 42;

    /** RANDOM_LOWER ({@code best_vs_random}) with seed 42. */
    public NectarAdapter() {
        this(PairStrategy.RANDOM_LOWER, DEFAULT_SEED);
    }

    /** The given strategy; the seed matters only for RANDOM_LOWER. */
    public NectarAdapter(PairStrategy strategy, long seed) {
        this.strategy = Objects.requireNonNull(strategy, "strategy");
        this.seed = seed;
    }

    /** The pairing strategy. */
    public PairStrategy strategy() {
        return strategy;
    }

    @Override
    public List<PreferenceExample> toExamples(DatasetRow row) {
        List<ChatMessage> prompt = parsePrompt(row, row.string("prompt"));
        List<Answer> answers = answers(row);
        answers.sort(Comparator.comparingDouble(Answer::rank));
        Answer best = answers.get(0);
        Answer worst = answers.get(answers.size() - 1);
        if (best.rank() == worst.rank()) {
            throw row.error("answers", "all answers have the same rank " + best.rank());
        }
        List<PreferenceExample> examples = new ArrayList<>();
        switch (strategy) {
            case BEST_VS_WORST:
                examples.add(new PreferenceExample(prompt, best.text(), worst.text()));
                break;
            case ALL_PAIRS:
                for (int i = 0; i < answers.size(); i++) {
                    for (int j = i + 1; j < answers.size(); j++) {
                        if (answers.get(i).rank() < answers.get(j).rank()) {
                            examples.add(new PreferenceExample(prompt, answers.get(i).text(), answers.get(j).text()));
                        }
                    }
                }
                break;
            default:
                List<Answer> lower = answers.stream().filter(a -> a.rank() > best.rank()).toList();
                Answer pick = lower.get(new SplittableRandom(mix(seed, row.index())).nextInt(lower.size()));
                examples.add(new PreferenceExample(prompt, best.text(), pick.text()));
        }
        return examples;
    }

    private static long mix(long seed, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + index;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Parses {@code "\n\nHuman: a\n\nAssistant: b\n\nHuman: c\n\nAssistant:"} into user/assistant messages; the text
     * after the last {@code Assistant:} must be empty (it is where the answers go). Message texts are stripped.
     */
    static List<ChatMessage> parsePrompt(DatasetRow row, String text) {
        String rest = text.stripTrailing();
        if (!rest.endsWith("Assistant:")) {
            throw row.error("prompt", "should end with the generation slot '\\n\\nAssistant:'");
        }
        rest = "\n\n" + rest.substring(0, rest.length() - "Assistant:".length()).strip();
        List<ChatMessage> messages = new ArrayList<>();
        int at = 0;
        while (at < rest.length()) {
            boolean human = rest.startsWith(HUMAN, at);
            if (!human && !rest.startsWith(ASSISTANT, at)) {
                throw row.error("prompt", "expected '\\n\\nHuman:' or '\\n\\nAssistant:' at character " + at);
            }
            int start = at + (human ? HUMAN.length() : ASSISTANT.length());
            int next = nextMarker(rest, start);
            String content = rest.substring(start, next).strip();
            messages.add(human ? ChatMessage.user(content) : ChatMessage.assistant(content));
            at = next;
        }
        if (messages.isEmpty() || !ChatMessage.USER.equals(messages.get(messages.size() - 1).role())) {
            throw row.error("prompt", "has no Human turn before the final 'Assistant:'");
        }
        return messages;
    }

    private static int nextMarker(String text, int from) {
        int human = text.indexOf(HUMAN, from);
        int assistant = text.indexOf(ASSISTANT, from);
        int next = text.length();
        if (human >= 0) {
            next = human;
        }
        if (assistant >= 0 && assistant < next) {
            next = assistant;
        }
        return next;
    }

    private static List<Answer> answers(DatasetRow row) {
        List<?> raw = row.list("answers");
        if (raw.size() < 2) {
            throw row.error("answers", "needs at least 2 ranked answers but has " + raw.size());
        }
        List<Answer> answers = new ArrayList<>(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            if (!(raw.get(i) instanceof Map)) {
                throw row.error("answers", "element " + i + " should be an {answer, model, rank} struct");
            }
            Map<?, ?> item = (Map<?, ?>) raw.get(i);
            if (!(item.get("answer") instanceof String)) {
                throw row.error("answers", "element " + i + " has no string 'answer'");
            }
            if (!(item.get("rank") instanceof Number)) {
                throw row.error("answers", "element " + i + " has no numeric 'rank'");
            }
            answers.add(new Answer((String) item.get("answer"), ((Number) item.get("rank")).doubleValue()));
        }
        return answers;
    }

    private record Answer(String text, double rank) {
    }
}
