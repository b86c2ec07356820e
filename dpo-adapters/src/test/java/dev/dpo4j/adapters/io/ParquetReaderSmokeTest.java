package dev.dpo4j.adapters.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dpo4j.adapters.testing.ParquetFixtures;
import dev.dpo4j.api.data.DatasetRow;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParquetReaderSmokeTest {
    @TempDir Path dir;

    @Test
    void readsNested() {
        Path file = ParquetFixtures.write(dir.resolve("a.parquet"), ParquetFixtures.ULTRAFEEDBACK, List.of(Map.of(
                "prompt", "Hi", "prompt_id", "x",
                "chosen", List.of(Map.of("content", "Hi", "role", "user"), Map.of("content", "Yo", "role", "assistant")),
                "rejected", List.of(Map.of("content", "Hi", "role", "user"), Map.of("content", "No", "role", "assistant")),
                "score_chosen", 8.0, "score_rejected", 3.0)));
        try (Stream<DatasetRow> rows = DatasetReader.read(file)) {
            List<DatasetRow> list = rows.collect(Collectors.toList());
            System.out.println(list);
            assertThat(list).hasSize(1);
        }
    }
}
