package dev.dpo4j.adapters;

import dev.dpo4j.adapters.datasets.DatasetAdapters;
import dev.dpo4j.adapters.io.DatasetFiles;
import dev.dpo4j.api.data.DatasetAdapter;
import dev.dpo4j.api.data.DatasetRow;
import dev.dpo4j.hub.HubClient;
import dev.dpo4j.hub.HubDataset;
import dev.dpo4j.hub.datasets.DataFileFormat;
import dev.dpo4j.hub.datasets.SplitNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The entry point: loads preference datasets from local files (Parquet, JSON Lines, JSON; folders and shard lists)
 * or Hugging Face Hub dataset splits ({@link DatasetSource}, through a {@link HubClient}) with a
 * {@link DatasetAdapter}, and splits them into train and eval sets.
 */
public final class PreferenceDatasets {

    private static final Pattern TRAIN = SplitNames.TRAIN_WORD;
    private static final Pattern EVAL = SplitNames.EVAL_WORD;
    private static final Pattern SHARD = Pattern.compile("-\\d+-of-\\d+$");

    private PreferenceDatasets() {
    }

    /** Loads the files under the paths with the adapter, strictly. */
    public static PreferenceDataset load(DatasetAdapter adapter, List<Path> paths) {
        return load(adapter, paths, LoadOptions.defaults());
    }

    /** Loads the files under the paths with the adapter and options. */
    public static PreferenceDataset load(DatasetAdapter adapter, List<Path> paths, LoadOptions options) {
        return new PreferenceDataset(adapter, DatasetFiles.resolve(paths), options, row -> true);
    }

    /** Loads with a named adapter ({@link DatasetAdapters#byName}). */
    public static PreferenceDataset load(String adapterName, Path path, LoadOptions options) {
        return load(DatasetAdapters.byName(adapterName, options), List.of(path), options);
    }

    /**
     * Loads a local path, or a Hub dataset's split (downloaded into the Hub cache, or found there), with the
     * options. Only the named split is read; {@link #split(DatasetAdapter, List, HubClient, LoadOptions,
     * SplitOptions)} also pairs it with the dataset's eval split.
     */
    public static PreferenceDataset load(DatasetAdapter adapter, DatasetSource source, HubClient hub,
            LoadOptions options) {
        return load(adapter, resolve(List.of(source), hub, false).files(), options);
    }

    /**
     * Train and eval sets of local paths and Hub dataset splits together ({@link #resolve} with eval splits), then
     * as {@link #split(DatasetAdapter, List, LoadOptions, SplitOptions)}.
     */
    public static TrainEvalSplit split(DatasetAdapter adapter, List<DatasetSource> sources, HubClient hub,
            LoadOptions options, SplitOptions split) {
        return split(adapter, resolve(sources, hub, true).files(), options, split);
    }

    /**
     * The local files of dataset sources: a local path stands for itself; a Hub source gives its split's files,
     * downloaded through {@code hub} (into its cache, or found there), and with {@code withEvalSplit} also the
     * files of the dataset's own eval split when it has one ({@link HubDataset#evalSplitFor}: {@code train_prefs}
     * pairs with {@code test_prefs}).
     *
     * @param hub the Hub client; may be null when every source is local
     * @throws IllegalArgumentException when a source is a Hub id and {@code hub} is null
     * @throws dev.dpo4j.hub.HubException when the Hub or its cache cannot provide a split
     */
    public static ResolvedSources resolve(List<DatasetSource> sources, HubClient hub, boolean withEvalSplit) {
        List<Path> files = new ArrayList<>();
        List<String> descriptions = new ArrayList<>();
        for (DatasetSource source : sources) {
            if (!source.isHub()) {
                files.add(Path.of(source.pathOrId()));
                descriptions.add(source.pathOrId());
                continue;
            }
            if (hub == null) {
                throw new IllegalArgumentException("dataset " + source.pathOrId() + " is a Hub id, not a local "
                        + "path: pass a HubClient to read it (or the path of a local copy)");
            }
            HubDataset dataset = hub.dataset(source.pathOrId(), source.revision());
            files.addAll(dataset.files(source.split()));
            String eval = withEvalSplit ? dataset.evalSplitFor(source.split()).orElse(null) : null;
            if (eval != null) {
                files.addAll(dataset.files(eval));
            }
            descriptions.add(source.pathOrId() + " (Hub, split " + source.split()
                    + (eval == null ? "" : ", eval split " + eval) + ")");
        }
        return new ResolvedSources(files, descriptions);
    }

    /**
     * The local files of {@link #resolve}d dataset sources.
     *
     * @param files the files (and folders) to read, in source order
     * @param descriptions one per source: the path, or {@code id (Hub, split s[, eval split e])}
     */
    public record ResolvedSources(List<Path> files, List<String> descriptions) {
        public ResolvedSources {
            files = List.copyOf(files);
            descriptions = List.copyOf(descriptions);
        }
    }

    /**
     * Train and eval sets. The dataset's own eval split is used when there is one: eval-named files
     * ({@link SplitNames#EVAL_WORDS}: {@code test*}, {@code eval*}, {@code validation*}, {@code valid}, {@code val},
     * {@code dev}, as a word in the file or folder name) among the given paths, or next to train-named ones with the same variant (for
     * {@code train_prefs-00000-of-00001.parquet} that is {@code test_prefs-*.parquet}, never {@code test_sft}).
     * Otherwise rows are split by {@link SplitOptions#isEval}.
     */
    public static TrainEvalSplit split(DatasetAdapter adapter, List<Path> paths, LoadOptions options,
            SplitOptions split) {
        List<Path> files = DatasetFiles.resolve(paths);
        List<Path> train = new ArrayList<>();
        List<Path> eval = new ArrayList<>();
        for (Path file : files) {
            (role(file) == Role.EVAL ? eval : train).add(file);
        }
        Set<String> trainKeys = train.stream().map(PreferenceDatasets::variant).filter(k -> k != null)
                .collect(Collectors.toCollection(LinkedHashSet::new));
        if (!eval.isEmpty() && !train.isEmpty()) {
            List<Path> matching = eval.stream().filter(f -> trainKeys.contains(variant(f))).toList();
            if (!matching.isEmpty()) {
                eval = new ArrayList<>(matching);
            }
        } else if (eval.isEmpty() && !trainKeys.isEmpty()) {
            eval = siblings(train, trainKeys);
        }
        if (!eval.isEmpty() && !train.isEmpty()) {
            return new TrainEvalSplit(new PreferenceDataset(adapter, train, options, row -> true),
                    new PreferenceDataset(adapter, eval, options, row -> true), true,
                    "the dataset's own split: train " + names(train) + ", eval " + names(eval));
        }
        return new TrainEvalSplit(
                new PreferenceDataset(adapter, files, options, row -> !split.isEval(fileName(row), row.index())),
                new PreferenceDataset(adapter, files, options, row -> split.isEval(fileName(row), row.index())),
                false, "no eval files found; rows split with eval fraction " + split.evalFraction()
                        + " and seed " + split.seed());
    }

    private static String fileName(DatasetRow row) {
        String source = row.source();
        int colon = source.lastIndexOf(':');
        if (colon > source.lastIndexOf('/') && colon > source.lastIndexOf('\\')) {
            source = source.substring(0, colon); // JSON Lines sources carry ":line"
        }
        return Path.of(source).getFileName().toString();
    }

    private static List<Path> siblings(List<Path> train, Set<String> keys) {
        Set<Path> found = new LinkedHashSet<>();
        Set<Path> dirs = new LinkedHashSet<>();
        for (Path file : train) {
            Path dir = file.toAbsolutePath().getParent();
            dirs.add(dir);
            if (dir.getParent() != null && TRAIN.matcher(lower(dir.getFileName())).find()) {
                dirs.add(dir.getParent()); // train/ folder: look at its siblings too
            }
        }
        for (Path dir : dirs) {
            try (Stream<Path> list = Files.list(dir)) {
                for (Path candidate : list.sorted().toList()) {
                    if (role(candidate) == Role.EVAL && keys.contains(variant(candidate))) {
                        if (Files.isDirectory(candidate)) {
                            found.addAll(DatasetFiles.resolve(candidate));
                        } else if (DataFileFormat.detect(candidate).isPresent()) {
                            found.add(candidate);
                        }
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return new ArrayList<>(found);
    }

    private enum Role { TRAIN, EVAL, NONE }

    private static Role role(Path file) {
        String name = stem(file);
        if (EVAL.matcher(name).find()) {
            return Role.EVAL;
        }
        if (TRAIN.matcher(name).find()) {
            return Role.TRAIN;
        }
        Path parent = file.getParent();
        if (parent != null && parent.getFileName() != null) {
            String dir = lower(parent.getFileName());
            if (EVAL.matcher(dir).find()) {
                return Role.EVAL;
            }
            if (TRAIN.matcher(dir).find()) {
                return Role.TRAIN;
            }
        }
        return Role.NONE;
    }

    /** The name with its split word replaced by '*' and shard suffix dropped: train_prefs-00000-of-00002 -> *_prefs. */
    private static String variant(Path file) {
        String name = stem(file);
        Matcher m = TRAIN.matcher(name);
        if (!m.find()) {
            m = EVAL.matcher(name);
            if (!m.find()) {
                Path parent = file.getParent();
                return parent == null || parent.getFileName() == null || role(file) == Role.NONE ? null
                        : "dir:" + SHARD.matcher(TRAIN.matcher(EVAL.matcher(lower(parent.getFileName()))
                                .replaceFirst("*")).replaceFirst("*")).replaceFirst("");
            }
        }
        return SHARD.matcher(m.replaceFirst("*")).replaceFirst("");
    }

    private static String stem(Path file) {
        return DataFileFormat.stem(file.getFileName().toString());
    }

    private static String lower(Path name) {
        return name.toString().toLowerCase(Locale.ROOT);
    }

    private static String names(List<Path> files) {
        return files.stream().map(p -> p.getFileName().toString()).collect(Collectors.toList()).toString();
    }
}
