package dev.dpo4j.hub.datasets;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The words that name a dataset split, as the {@code datasets} library's {@code data_files.py} knows them: train
 * (train, training), validation (validation, valid, dev, val), test (test, testing, eval, evaluation). The one
 * definition behind the Hub's split inference ({@link DatasetSplits}), the train/eval split of local files and the
 * evaluation split a training split pairs with.
 */
public final class SplitNames {

    /** The split a dataset is read from when none is named, as in {@code datasets.load_dataset}. */
    public static final String DEFAULT_SPLIT = "train";
    /** The canonical split for its keywords, in the order splits are listed: train, validation, test. */
    public static final Map<String, List<String>> KEYWORDS;
    /** The words of a training split. */
    public static final List<String> TRAIN_WORDS = List.of("train", "training");
    /**
     * The words of an evaluation split (validation and test ones), in the order a training split's evaluation
     * partner is looked for: {@code train_prefs} pairs with {@code test_prefs} before {@code validation_prefs}.
     */
    public static final List<String> EVAL_WORDS = List.of("test", "validation", "eval", "valid", "dev", "val",
            "testing", "evaluation");
    /** A train word not inside a longer word (lower-case text): {@code train_prefs}, {@code my-training}. */
    public static final Pattern TRAIN_WORD = word(TRAIN_WORDS);
    /** An eval word not inside a longer word (lower-case text): {@code test_prefs}, {@code dev}, not {@code contest}. */
    public static final Pattern EVAL_WORD = word(EVAL_WORDS);

    static {
        Map<String, List<String>> keywords = new LinkedHashMap<>();
        keywords.put("train", TRAIN_WORDS);
        keywords.put("validation", List.of("validation", "valid", "dev", "val"));
        keywords.put("test", List.of("test", "testing", "eval", "evaluation"));
        KEYWORDS = java.util.Collections.unmodifiableMap(keywords);
    }

    private SplitNames() {
    }

    /** Whether the name (any case) has a train word. */
    public static boolean hasTrainWord(String name) {
        return TRAIN_WORD.matcher(name.toLowerCase(Locale.ROOT)).find();
    }

    /** Whether the name (any case) has an eval word. */
    public static boolean hasEvalWord(String name) {
        return EVAL_WORD.matcher(name.toLowerCase(Locale.ROOT)).find();
    }

    /**
     * The dataset's own evaluation split for a training split: the split named like it with its train word
     * replaced by an eval word ({@link #EVAL_WORDS}, in that order): {@code train_prefs} gives {@code test_prefs},
     * {@code train} gives {@code test} or {@code validation}. Empty when there is none.
     */
    public static Optional<String> evalSplitFor(String trainSplit, Collection<String> splits) {
        Matcher m = TRAIN_WORD.matcher(trainSplit.toLowerCase(Locale.ROOT));
        if (!m.find()) {
            return Optional.empty();
        }
        for (String word : EVAL_WORDS) {
            String candidate = trainSplit.substring(0, m.start()) + word + trainSplit.substring(m.end());
            if (splits.contains(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static Pattern word(List<String> words) {
        // longest first, so that "training" is matched whole rather than as "train"
        List<String> sorted = words.stream().sorted((a, b) -> b.length() - a.length()).toList();
        return Pattern.compile("(?<![a-z])(" + String.join("|", sorted) + ")(?![a-z])");
    }
}
