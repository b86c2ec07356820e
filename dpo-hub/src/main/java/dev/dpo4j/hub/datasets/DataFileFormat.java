package dev.dpo4j.hub.datasets;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The dataset file formats dpo4j reads, recognised by file name: the one list of data-file extensions, used to pick
 * a Hub dataset's data files, to scan local folders and to choose a reader. JSON Lines and JSON may be gzipped
 * ({@code .jsonl.gz}); Parquet compresses inside the file and is never {@code .gz}.
 */
public enum DataFileFormat {
    /** Apache Parquet, the Hugging Face Hub's default ({@code .parquet}). */
    PARQUET(List.of(".parquet"), false),
    /** JSON Lines: one JSON object per line ({@code .jsonl}, {@code .ndjson}, optionally {@code .gz}). */
    JSON_LINES(List.of(".jsonl", ".ndjson"), true),
    /** One JSON array of objects ({@code .json}, optionally {@code .gz}); a file starting with '{' is read as JSON Lines. */
    JSON(List.of(".json"), true);

    /** The suffix of a gzip-compressed file. */
    public static final String GZIP = ".gz";
    /** The supported extensions in words, for messages. */
    public static final String SUPPORTED = ".parquet, .jsonl, .ndjson or .json (JSON ones optionally .gz)";

    private final List<String> extensions;
    private final boolean gzipAllowed;

    DataFileFormat(List<String> extensions, boolean gzipAllowed) {
        this.extensions = extensions;
        this.gzipAllowed = gzipAllowed;
    }

    /** The extensions of this format, lower case with the dot. */
    public List<String> extensions() {
        return extensions;
    }

    /** The format of a file name (case-insensitive), or empty when it has no supported extension. */
    public static Optional<DataFileFormat> detect(String fileName) {
        String name = fileName.toLowerCase(Locale.ROOT);
        boolean gzipped = name.endsWith(GZIP);
        String base = gzipped ? name.substring(0, name.length() - GZIP.length()) : name;
        for (DataFileFormat format : values()) {
            if ((!gzipped || format.gzipAllowed) && format.extensions.stream().anyMatch(base::endsWith)) {
                return Optional.of(format);
            }
        }
        return Optional.empty();
    }

    /** The format of a file, by its name. */
    public static Optional<DataFileFormat> detect(Path file) {
        return detect(file.getFileName().toString());
    }

    /** Whether the name is gzip-compressed ({@code .gz}). */
    public static boolean gzipped(String fileName) {
        return fileName.toLowerCase(Locale.ROOT).endsWith(GZIP);
    }

    /** Whether the file is gzip-compressed, by name. */
    public static boolean gzipped(Path file) {
        return gzipped(file.getFileName().toString());
    }

    /** Whether a name looks like a file rather than an id: a data-file extension or any {@code .gz}. */
    public static boolean namedLikeDataFile(String name) {
        return detect(name).isPresent() || gzipped(name);
    }

    /** The file name, lower case, without its data-file extension and {@code .gz}: {@code train-0.jsonl.gz} to {@code train-0}. */
    public static String stem(String fileName) {
        String name = fileName.toLowerCase(Locale.ROOT);
        if (name.endsWith(GZIP)) {
            name = name.substring(0, name.length() - GZIP.length());
        }
        for (DataFileFormat format : values()) {
            for (String ext : format.extensions) {
                if (name.endsWith(ext)) {
                    return name.substring(0, name.length() - ext.length());
                }
            }
        }
        return name;
    }
}
