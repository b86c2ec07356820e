package dev.dpo4j.adapters.io;

import dev.dpo4j.api.data.DataFormatException;
import dev.dpo4j.hub.datasets.DataFileFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Expands files, folders and shard lists into the ordered list of data files to read. */
public final class DatasetFiles {

    private DatasetFiles() {
    }

    /**
     * The data files under the given paths: a file stands for itself (it must have a supported extension); a folder
     * for every supported file below it, recursively, hidden files and folders excluded, sorted by path so shards
     * ({@code train-00000-of-00003.parquet}, ...) come in order. Duplicates are dropped, the given order is kept.
     *
     * @throws DataFormatException when a path does not exist, a named file has an unsupported type, or nothing is found
     */
    public static List<Path> resolve(Collection<Path> paths) {
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("no dataset files given");
        }
        Set<Path> files = new LinkedHashSet<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                files.addAll(scan(path));
            } else if (Files.isRegularFile(path)) {
                format(path);
                files.add(path);
            } else {
                throw new DataFormatException(path.toString(), -1, null, "does not exist");
            }
        }
        if (files.isEmpty()) {
            throw new DataFormatException(paths.toString(), -1, null,
                    "holds no " + DataFileFormat.SUPPORTED + " files");
        }
        return List.copyOf(files);
    }

    /**
     * The format of a data file by its name ({@link DataFileFormat}).
     *
     * @throws DataFormatException naming the file and the supported extensions when it has none of them
     */
    public static DataFileFormat format(Path file) {
        return DataFileFormat.detect(file).orElseThrow(() -> new DataFormatException(file.toString(), -1, null,
                "unsupported file type; expected " + DataFileFormat.SUPPORTED));
    }

    /** Same as {@link #resolve(Collection)} for one path. */
    public static List<Path> resolve(Path path) {
        return resolve(List.of(path));
    }

    private static List<Path> scan(Path folder) {
        try (Stream<Path> walk = Files.walk(folder)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> !hidden(folder.relativize(p)))
                    .filter(p -> DataFileFormat.detect(p).isPresent())
                    .sorted(Comparator.comparing(p -> folder.relativize(p).toString()))
                    .collect(Collectors.toCollection(ArrayList::new));
        } catch (IOException e) {
            throw new DataFormatException(folder.toString(), -1, null, "cannot be listed: " + e, e);
        }
    }

    private static boolean hidden(Path relative) {
        for (Path part : relative) {
            String name = part.toString();
            if (name.startsWith(".") || name.startsWith("_")) {
                return true;
            }
        }
        return false;
    }
}
