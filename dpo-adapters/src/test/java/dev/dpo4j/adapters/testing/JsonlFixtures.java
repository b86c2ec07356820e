package dev.dpo4j.adapters.testing;

import com.google.gson.Gson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Writes JSON Lines fixtures with Gson. */
public final class JsonlFixtures {
    private static final Gson GSON = new Gson();

    private JsonlFixtures() {
    }

    /** One object per line. */
    public static Path write(Path file, List<Map<String, Object>> rows) {
        return writeLines(file, rows.stream().map(GSON::toJson).collect(Collectors.toList()));
    }

    /** Raw lines, for malformed input. */
    public static Path writeLines(Path file, List<String> lines) {
        try {
            return Files.write(file, lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
