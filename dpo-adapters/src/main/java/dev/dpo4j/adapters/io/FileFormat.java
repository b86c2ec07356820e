package dev.dpo4j.adapters.io;

import dev.dpo4j.api.data.DataFormatException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** The dataset file formats the readers understand, recognised by file name ({@code .gz} allowed for JSON). */
public enum FileFormat {
    /** Apache Parquet, the Hugging Face Hub's default ({@code .parquet}). */
    PARQUET,
    /** JSON Lines: one JSON object per line ({@code .jsonl}, {@code .ndjson}, optionally {@code .gz}). */
    JSON_LINES,
    /** One JSON array of objects ({@code .json}, optionally {@code .gz}); a file starting with '{' is read as JSON Lines. */
    JSON;

    /** The format of a file, or empty when its name has no known extension. */
    public static Optional<FileFormat> detect(Path file) {
        String name = baseName(file);
        if (name.endsWith(".parquet")) {
            return Optional.of(PARQUET);
        }
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
            return Optional.of(JSON_LINES);
        }
        if (name.endsWith(".json")) {
            return Optional.of(JSON);
        }
        return Optional.empty();
    }

    /** The format of a file, failing with a message that names the file and the supported extensions. */
    public static FileFormat of(Path file) {
        return detect(file).orElseThrow(() -> new DataFormatException(file.toString(), -1, null,
                "unsupported file type; expected .parquet, .jsonl, .ndjson or .json (JSON ones optionally .gz)"));
    }

    /** Whether the file is gzip-compressed, by name. */
    public static boolean gzipped(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz");
    }

    private static String baseName(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
    }
}
