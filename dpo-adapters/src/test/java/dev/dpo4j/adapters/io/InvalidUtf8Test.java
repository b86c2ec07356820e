package dev.dpo4j.adapters.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dpo4j.adapters.LoadOptions;
import dev.dpo4j.adapters.PreferenceDataset;
import dev.dpo4j.adapters.PreferenceDatasets;
import dev.dpo4j.adapters.datasets.OrcaDpoPairsAdapter;
import dev.dpo4j.adapters.testing.ParquetFixtures;
import dev.dpo4j.api.data.DataFormatException;
import dev.dpo4j.api.data.DatasetRow;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Invalid UTF-8 is an error naming file and row (lenient: skipped and counted), never silently replaced. */
class InvalidUtf8Test {

    private static final byte[] BAD = {(byte) 0xC3, (byte) 0x28}; // a lead byte without its continuation

    @TempDir
    Path dir;

    private Path file(String name, String before, byte[] bad, String after) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(before.getBytes(StandardCharsets.UTF_8));
        out.write(bad);
        out.write(after.getBytes(StandardCharsets.UTF_8));
        return Files.write(dir.resolve(name), out.toByteArray());
    }

    private static final String GOOD = "{\"question\":\"q\",\"chosen\":\"a\",\"rejected\":\"b\"}\n";

    @Test
    void jsonLinesStrictNamesFileLineAndRow() throws IOException {
        Path jsonl = file("bad.jsonl", GOOD + "\r\n{\"question\":\"q", BAD, "\",\"chosen\":\"a\",\"rejected\":\"b\"}\n"
                + GOOD);
        assertThatThrownBy(() -> {
            try (Stream<DatasetRow> rows = DatasetReader.read(jsonl)) {
                rows.forEach(row -> { });
            }
        }).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("bad.jsonl, row 1: invalid UTF-8 on line 3 at byte 15");
    }

    @Test
    void jsonLinesLenientSkipsAndCounts() throws IOException {
        Path jsonl = file("bad.jsonl", GOOD + "{\"question\":\"q", BAD, "\",\"chosen\":\"a\",\"rejected\":\"b\"}\n"
                + GOOD.replace("\"a\"", "\"é\""));
        PreferenceDataset data = PreferenceDatasets.load(new OrcaDpoPairsAdapter(), List.of(jsonl),
                LoadOptions.lenientDefaults());
        List<String> chosen = new ArrayList<>();
        data.forEach(example -> chosen.add(example.chosen()));
        assertThat(chosen).containsExactly("a", "é");
        assertThat(data.skipReport().skipped()).isEqualTo(1);
        assertThat(data.skipReport().byReason()).containsEntry("invalid UTF-8", 1L);
    }

    @Test
    void jsonArrayNamesFileAndElement() throws IOException {
        Path json = file("bad.json", "[" + GOOD + ",\n{\"question\":\"", BAD, "\"}]");
        assertThatThrownBy(() -> {
            try (Stream<DatasetRow> rows = DatasetReader.read(json)) {
                rows.forEach(row -> { });
            }
        }).isInstanceOf(DataFormatException.class).hasMessageContaining("bad.json, row 1: invalid UTF-8");
        List<DataFormatException> skipped = new ArrayList<>();
        try (Stream<DatasetRow> rows = DatasetReader.read(json, skipped::add)) {
            assertThat(rows.count()).isEqualTo(1);
        }
        assertThat(skipped).singleElement().asString().contains("row 1");
    }

    @Test
    void parquetStringNamesFileRowAndField() {
        Map<String, Object> good = row("q".getBytes(StandardCharsets.UTF_8));
        Map<String, Object> bad = row(new byte[] {'q', BAD[0], BAD[1]});
        Path parquet = ParquetFixtures.write(dir.resolve("bad.parquet"), ParquetFixtures.ORCA, List.of(good, bad,
                good));
        assertThatThrownBy(() -> {
            try (Stream<DatasetRow> rows = DatasetReader.read(parquet)) {
                rows.forEach(row -> { });
            }
        }).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("bad.parquet, row 1, field 'question': invalid UTF-8 in a string (at byte 1)");
        List<DataFormatException> skipped = new ArrayList<>();
        try (Stream<DatasetRow> rows = DatasetReader.read(parquet, skipped::add)) {
            assertThat(rows.map(DatasetRow::index)).containsExactly(0L, 2L);
        }
        assertThat(skipped).hasSize(1);
    }

    private static Map<String, Object> row(byte[] question) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("question", question);
        row.put("chosen", "a");
        row.put("rejected", "b");
        return row;
    }

    @Test
    void aLineLongerThanTheBoundIsABadRowNotAnOutOfMemoryError() throws IOException {
        Path jsonl = dir.resolve("long.jsonl");
        byte[] line = new byte[JsonLinesReader.MAX_LINE_BYTES + 1];
        java.util.Arrays.fill(line, (byte) 'x');
        try (var out = Files.newOutputStream(jsonl)) {
            out.write(line);
            out.write('\n');
            out.write(GOOD.getBytes(StandardCharsets.UTF_8));
        }
        List<DataFormatException> skipped = new ArrayList<>();
        try (Stream<DatasetRow> rows = DatasetReader.read(jsonl, skipped::add)) {
            assertThat(rows.map(DatasetRow::source)).containsExactly(jsonl + ":2");
        }
        assertThat(skipped).singleElement().asString().contains("long.jsonl, row 0: line 1 is longer than");
    }
}
