package dev.dpo4j.cli;

import dev.dpo4j.adapters.PreferenceDataset;
import dev.dpo4j.adapters.SkipReport;
import dev.dpo4j.api.data.PreferenceExample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Checks before training that the data gives at least one training pair, with an error that names the files. */
final class DataCheck {

    private DataCheck() {
    }

    /** Reads up to the first training pair; a usage error naming the files (and what was skipped) if there is none. */
    static void requireTrainingPairs(PreferenceDataset train) {
        try (Stream<PreferenceExample> pairs = train.stream()) {
            if (pairs.findAny().isPresent()) {
                return;
            }
        }
        List<Path> files = train.files();
        String names = files.stream().map(Path::toString).collect(Collectors.joining(", "));
        if (!files.isEmpty() && files.stream().allMatch(DataCheck::isEmptyFile)) {
            throw new UsageError((files.size() == 1 ? "data file " + names + " is empty"
                    : "data files " + names + " are empty") + ": no training pairs");
        }
        SkipReport skips = train.skipReport();
        throw new UsageError("no training pairs in " + (files.isEmpty() ? "the data" : names)
                + (skips.skipped() > 0 ? "; " + skips.summary().replaceAll("\\s*\\R\\s*", " ")
                : " (every row went to the eval split, or the files hold no rows)"));
    }

    private static boolean isEmptyFile(Path file) {
        try {
            return Files.isRegularFile(file) && Files.size(file) == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
