package dev.dpo4j.hub.datasets;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which files of a dataset repository make up which split, by the conventions of the {@code datasets} library
 * ({@code data_files.py}, for repositories without a {@code configs:} section in their README), tried in order:
 * <ol>
 *   <li>sharded names {@code data/{split}-00000-of-00001*.*} (any split name: {@code train_prefs}, ...);</li>
 *   <li>a folder named after a split keyword: {@code train/}, {@code data/validation/}, {@code dev-set/} ...;</li>
 *   <li>a file named after a split keyword: {@code train.jsonl}, {@code my_test-0.parquet} ...;</li>
 *   <li>otherwise every data file is {@code train}.</li>
 * </ol>
 * Keywords are {@link SplitNames#KEYWORDS}; a keyword counts only between separators {@code -._ 0-9} or '/'. Data
 * files are those of {@link DataFileFormat}; hidden paths ({@code .x}, {@code __x}) are skipped.
 */
public final class DatasetSplits {

    private static final Pattern SHARDED = Pattern.compile("^data/(\\w+(?:\\.\\w+)*)-\\d{5}-of-\\d{5}[^/]*\\.[^/]+$");
    private static final String SEP = "[-._ 0-9]";
    private static final Map<String, List<String>> KEYWORDS = SplitNames.KEYWORDS;

    private DatasetSplits() {
    }

    /** Whether a repository path is a data file dpo4j reads ({@link DataFileFormat}) outside hidden folders. */
    public static boolean isDataFile(String repoPath) {
        for (String part : repoPath.split("/")) {
            if (part.startsWith(".") || part.startsWith("__")) {
                return false;
            }
        }
        return DataFileFormat.detect(repoPath.substring(repoPath.lastIndexOf('/') + 1)).isPresent();
    }

    /** The splits of a repository's files: split name to its data files (sorted), in a stable order. */
    public static Map<String, List<String>> infer(Collection<String> repoPaths) {
        List<String> data = repoPaths.stream().filter(DatasetSplits::isDataFile).sorted().toList();
        Map<String, List<String>> splits = new TreeMap<>();
        for (String path : data) {
            Matcher m = SHARDED.matcher(path);
            if (m.matches()) {
                splits.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(path);
            }
        }
        if (!splits.isEmpty()) {
            return ordered(splits);
        }
        for (boolean inDirName : new boolean[] {true, false}) {
            Map<String, List<String>> found = new LinkedHashMap<>();
            for (Map.Entry<String, List<String>> split : KEYWORDS.entrySet()) {
                for (String path : data) {
                    if (split.getValue().stream().anyMatch(k -> matches(path, k, inDirName))) {
                        found.computeIfAbsent(split.getKey(), k -> new ArrayList<>()).add(path);
                    }
                }
            }
            if (!found.isEmpty()) {
                return found;
            }
        }
        Map<String, List<String>> all = new LinkedHashMap<>();
        if (!data.isEmpty()) {
            all.put("train", data);
        }
        return all;
    }

    /**
     * The splits of the {@code refs/convert/parquet} branch: {@code {config}/{split}/0000.parquet} (also
     * {@code {config}/partial-{split}/...} and the older {@code {config}/{name}-{split}.parquet}); the config
     * {@code default} is used when there is one, else the first by name.
     */
    public static Map<String, List<String>> inferConverted(Collection<String> repoPaths) {
        Map<String, Map<String, List<String>>> byConfig = new TreeMap<>();
        for (String path : repoPaths.stream().sorted().toList()) {
            String[] parts = path.split("/");
            if (!path.toLowerCase(Locale.ROOT).endsWith(".parquet") || parts.length < 2) {
                continue;
            }
            String split;
            if (parts.length >= 3) {
                split = parts[1].startsWith("partial-") ? parts[1].substring("partial-".length()) : parts[1];
            } else {
                String stem = parts[1].substring(0, parts[1].length() - ".parquet".length())
                        .replaceFirst("-\\d{5}-of-\\d{5}$", "");
                split = stem.substring(stem.lastIndexOf('-') + 1);
            }
            byConfig.computeIfAbsent(parts[0], k -> new TreeMap<>()).computeIfAbsent(split, k -> new ArrayList<>())
                    .add(path);
        }
        if (byConfig.isEmpty()) {
            return Map.of();
        }
        Map<String, List<String>> chosen = byConfig.getOrDefault("default", byConfig.values().iterator().next());
        return ordered(chosen);
    }

    /** The dataset's own evaluation split for a training split ({@link SplitNames#evalSplitFor}). */
    public static Optional<String> evalSplitFor(String trainSplit, Collection<String> splits) {
        return SplitNames.evalSplitFor(trainSplit, splits);
    }

    private static boolean matches(String path, String keyword, boolean inDirName) {
        String[] parts = path.toLowerCase(Locale.ROOT).split("/");
        if (inDirName) {
            for (int i = 0; i < parts.length - 1; i++) {
                if (parts[i].matches("(.*" + SEP + ")?" + Pattern.quote(keyword) + "(" + SEP + ".*)?")) {
                    return true;
                }
            }
            return false;
        }
        String name = parts[parts.length - 1];
        return name.matches(Pattern.quote(keyword) + SEP + ".*")
                || name.matches(".*" + SEP + Pattern.quote(keyword) + SEP + ".*");
    }

    /** train-like splits first, then validation, then test, then the rest by name. */
    private static Map<String, List<String>> ordered(Map<String, List<String>> splits) {
        Map<String, List<String>> result = new LinkedHashMap<>();
        for (String first : List.of("train", "validation", "test")) {
            if (splits.containsKey(first)) {
                result.put(first, splits.get(first));
            }
        }
        splits.forEach(result::putIfAbsent);
        return result;
    }
}
