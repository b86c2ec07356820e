package dev.dpo4j.cli.embedded;

import dev.dpo4j.adapters.LoadOptions;
import dev.dpo4j.adapters.PreferenceDatasets;
import dev.dpo4j.adapters.SplitOptions;
import dev.dpo4j.adapters.TrainEvalSplit;
import dev.dpo4j.adapters.datasets.DatasetAdapters;
import dev.dpo4j.api.data.PreferenceExample;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The preference pairs that ship with dpo4j ({@code dpo4j/embedded/preferences.jsonl}, written by
 * {@link EmbeddedDatasetGenerator}), in the {@code generic} prompt / chosen / rejected schema. They are read through
 * the same adapters and train/eval split as user data, from a copy of the resource in a folder.
 */
public final class EmbeddedDataset {

    /** The classpath resource. */
    public static final String RESOURCE = "/dpo4j/embedded/preferences.jsonl";
    /** The file name of the extracted copy. */
    public static final String FILE_NAME = "preferences.jsonl";

    private EmbeddedDataset() {
    }

    /** Copies the resource into {@code folder} (created if needed) and returns the file. */
    public static Path extract(Path folder) {
        try (InputStream in = EmbeddedDataset.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            Files.createDirectories(folder);
            Path file = folder.resolve(FILE_NAME);
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + RESOURCE + " into " + folder, e);
        }
    }

    /** Train and eval sets of the copy in {@code folder}: rows split by {@code evalFraction} with {@code seed}. */
    public static TrainEvalSplit split(Path folder, double evalFraction, long seed) {
        return PreferenceDatasets.split(DatasetAdapters.byName("generic"), List.of(extract(folder)),
                LoadOptions.defaults(), new SplitOptions(evalFraction, seed));
    }

    /** All pairs, in memory. */
    public static List<PreferenceExample> load() {
        try {
            Path folder = Files.createTempDirectory("dpo4j-embedded-data");
            try {
                List<PreferenceExample> all = new ArrayList<>();
                PreferenceDatasets.load(DatasetAdapters.byName("generic"), List.of(extract(folder))).forEach(all::add);
                return all;
            } finally {
                Files.deleteIfExists(folder.resolve(FILE_NAME));
                Files.deleteIfExists(folder);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load " + RESOURCE + ": " + e.getMessage(), e);
        }
    }
}
