package dev.dpo4j.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * One local file and the path it gets in a Hub repository ({@code huggingface_hub}'s {@code CommitOperationAdd}).
 *
 * @param pathInRepo the repository path, '/'-separated, relative ({@code model.safetensors}, {@code runs/x/events})
 * @param file the local file, read when it is uploaded
 */
public record UploadFile(String pathInRepo, Path file) {

    /** Checks the repository path as {@code _validate_path_in_repo}: relative, no {@code ..} or {@code .git}. */
    public UploadFile {
        Objects.requireNonNull(pathInRepo, "pathInRepo");
        Objects.requireNonNull(file, "file");
        String p = pathInRepo.startsWith("./") ? pathInRepo.substring(2) : pathInRepo;
        if (p.isEmpty() || p.startsWith("/") || p.contains("\\") || p.equals("..") || p.startsWith("../")
                || p.contains("/../") || p.endsWith("/..") || p.equals(".git") || p.startsWith(".git/")
                || p.contains("/.git/")) {
            throw new IllegalArgumentException("'" + pathInRepo + "' is no path inside a Hub repository (a relative "
                    + "path with '/' separators, no '..' and no .git)");
        }
        pathInRepo = p;
    }

    /**
     * The regular files under {@code folder}, each at its relative path, sorted; those whose relative path
     * {@code ignore} accepts are left out, and so is everything inside a folder it accepts.
     */
    public static List<UploadFile> folder(Path folder, Predicate<String> ignore) {
        try (Stream<Path> all = Files.walk(folder)) {
            return all.filter(Files::isRegularFile).map(f -> folder.relativize(f))
                    .filter(rel -> !ignoredOrInIgnored(rel, ignore))
                    .map(rel -> new UploadFile(slashes(rel), folder.resolve(rel))).sorted(
                            java.util.Comparator.comparing(UploadFile::pathInRepo)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder + " for the upload: " + e.getMessage(), e);
        }
    }

    private static boolean ignoredOrInIgnored(Path relative, Predicate<String> ignore) {
        for (int i = 1; i <= relative.getNameCount(); i++) {
            if (ignore.test(slashes(relative.subpath(0, i)))) {
                return true;
            }
        }
        return false;
    }

    private static String slashes(Path relative) {
        StringBuilder s = new StringBuilder();
        for (Path part : relative) {
            s.append(s.length() == 0 ? "" : "/").append(part);
        }
        return s.toString();
    }
}
