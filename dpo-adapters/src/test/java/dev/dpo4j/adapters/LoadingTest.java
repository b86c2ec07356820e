package dev.dpo4j.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dpo4j.adapters.datasets.OrcaDpoPairsAdapter;
import dev.dpo4j.adapters.datasets.UltraFeedbackAdapter;
import dev.dpo4j.adapters.testing.JsonlFixtures;
import dev.dpo4j.adapters.testing.ParquetFixtures;
import dev.dpo4j.api.data.DataFormatException;
import dev.dpo4j.api.data.PreferenceExample;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadingTest {
    @TempDir Path dir;

    static Map<String, Object> orca(String q, String chosen, String rejected) {
        return Map.of("system", "", "question", q, "chosen", chosen, "rejected", rejected);
    }

    static long count(Iterable<PreferenceExample> examples) {
        long n = 0;
        for (PreferenceExample ignored : examples) {
            n++;
        }
        return n;
    }

    DataFormatException failure(Path file) {
        PreferenceDataset data = PreferenceDatasets.load(new OrcaDpoPairsAdapter(), List.of(file));
        try {
            count(data);
        } catch (DataFormatException e) {
            return e;
        }
        throw new AssertionError("no failure");
    }

    @Test
    void errorsNameFileRowAndField() {
        Path missing = JsonlFixtures.writeLines(dir.resolve("missing.jsonl"),
                List.of("{\"question\":\"q\",\"chosen\":\"a\",\"rejected\":\"b\"}", "", "{\"question\":\"q\",\"chosen\":\"a\"}"));
        assertThat(failure(missing)).hasMessageContaining("missing.jsonl:3, row 1, field 'rejected': is missing");
        Path wrongType = JsonlFixtures.writeLines(dir.resolve("type.jsonl"),
                List.of("{\"question\":\"q\",\"chosen\":7,\"rejected\":\"b\"}"));
        assertThat(failure(wrongType)).hasMessageContaining("row 0, field 'chosen': should be a string but is Long 7");
        Path empty = ParquetFixtures.write(dir.resolve("empty.parquet"), ParquetFixtures.ORCA,
                List.of(orca("q", "a", "b"), orca("q", "  ", "b")));
        assertThat(failure(empty)).hasMessageContaining("empty.parquet, row 1, field 'chosen': is empty");
        Path same = ParquetFixtures.write(dir.resolve("same.parquet"), ParquetFixtures.ORCA,
                List.of(orca("q", "a", "a")));
        assertThat(failure(same)).hasMessageContaining("row 0, field 'rejected': is identical to 'chosen'");
        Path malformed = JsonlFixtures.writeLines(dir.resolve("bad.jsonl"),
                List.of("{\"question\":\"q\",\"chosen\":\"a\",\"rejected\":\"b\"}", "{\"question\": tru"));
        assertThat(failure(malformed)).hasMessageContaining("bad.jsonl, row 1: malformed JSON on line 2");
        Path notParquet = JsonlFixtures.writeLines(dir.resolve("fake.parquet"), List.of("hello"));
        assertThat(failure(notParquet)).hasMessageContaining("fake.parquet: is not a readable Parquet file");
        assertThatThrownBy(() -> PreferenceDatasets.load(new OrcaDpoPairsAdapter(),
                List.of(JsonlFixtures.writeLines(dir.resolve("data.csv"), List.of("a,b")))))
                .isInstanceOf(DataFormatException.class).hasMessageContaining("data.csv: unsupported file type");
    }

    @Test
    void lenientModeSkipsAndReports() {
        Path file = JsonlFixtures.writeLines(dir.resolve("mixed.jsonl"), List.of(
                "{\"question\":\"q\",\"chosen\":\"a\",\"rejected\":\"b\"}",
                "{\"question\":\"q\",\"chosen\":\"a\"}",
                "not json",
                "{\"question\":\"q\",\"chosen\":\"a\",\"rejected\":\"a\"}",
                "{\"question\":\"q\",\"chosen\":\"c\",\"rejected\":\"d\"}"));
        PreferenceDataset data = PreferenceDatasets.load(new OrcaDpoPairsAdapter(), List.of(file),
                LoadOptions.lenientDefaults());
        assertThat(count(data)).isEqualTo(2);
        SkipReport report = data.skipReport();
        assertThat(report.rowsRead()).isEqualTo(5);
        assertThat(report.skipped()).isEqualTo(3);
        assertThat(report.byReason()).containsEntry("missing field", 1L).containsEntry("malformed JSON", 1L)
                .containsEntry("identical completions", 1L);
        assertThat(report.firstMessages()).hasSize(3).first().asString().contains("mixed.jsonl:2, row 1");
        assertThat(report.summary()).contains("skipped 3");
    }

    @Test
    void readsJsonArraysGzipFoldersAndShardsInOrder() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("data"));
        ParquetFixtures.write(folder.resolve("train-00001-of-00002.parquet"), ParquetFixtures.ORCA,
                List.of(orca("q2", "a", "b")));
        ParquetFixtures.write(folder.resolve("train-00000-of-00002.parquet"), ParquetFixtures.ORCA,
                List.of(orca("q1", "a", "b")));
        try (Writer w = new OutputStreamWriter(new GZIPOutputStream(
                Files.newOutputStream(folder.resolve("train-00002.json.gz"))), StandardCharsets.UTF_8)) {
            w.write("[{\"question\":\"q3\",\"chosen\":\"a\",\"rejected\":\"b\"},\n"
                    + " {\"question\":\"q4\",\"chosen\":\"a\",\"rejected\":\"b\"}]");
        }
        List<String> questions = new ArrayList<>();
        PreferenceDatasets.load(new OrcaDpoPairsAdapter(), List.of(folder))
                .forEach(e -> questions.add(e.prompt().get(0).content()));
        assertThat(questions).containsExactly("q1", "q2", "q3", "q4");
    }

    @Test
    void readsTheFirstRowWithoutParsingTheRest() {
        // every row after the second is malformed: reading ahead (or the whole file) would fail at once
        List<String> lines = new ArrayList<>(List.of(
                "{\"question\":\"q0\",\"chosen\":\"yes 0\",\"rejected\":\"no\"}",
                "{\"question\":\"q1\",\"chosen\":\"yes 1\",\"rejected\":\"no\"}"));
        for (int i = 0; i < 1000; i++) {
            lines.add("{\"question\": tru");
        }
        Path file = JsonlFixtures.writeLines(dir.resolve("bad-tail.jsonl"), lines);
        PreferenceDataset data = PreferenceDatasets.load(new OrcaDpoPairsAdapter(), List.of(file));
        Iterator<PreferenceExample> it = data.iterator();
        assertThat(it.next().chosen()).isEqualTo("yes 0");
        assertThat(it.next().chosen()).isEqualTo("yes 1");
        // the third row is parsed only now, and fails
        assertThatThrownBy(it::hasNext).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("bad-tail.jsonl, row 2: malformed JSON on line 3");
    }

    @Test
    void streamsLazilyAndReiterates() {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            lines.add("{\"question\":\"question " + i + "\",\"chosen\":\"yes " + i + "\",\"rejected\":\"no\"}");
        }
        Path file = JsonlFixtures.writeLines(dir.resolve("big.jsonl"), lines);
        PreferenceDataset data = PreferenceDatasets.load(new OrcaDpoPairsAdapter(), List.of(file));
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long before = rt.totalMemory() - rt.freeMemory();
        assertThat(count(data)).isEqualTo(200_000);
        System.gc();
        long after = rt.totalMemory() - rt.freeMemory();
        assertThat(after - before).isLessThan(32L << 20); // nothing retained between passes
        assertThat(count(data)).isEqualTo(200_000); // re-iterable
    }

    @Test
    void usesTheDatasetsOwnEvalSplit() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("uf/data"));
        Map<String, Object> row = Map.of("prompt", "Hi", "prompt_id", "x",
                "chosen", List.of(Map.of("role", "user", "content", "Hi"), Map.of("role", "assistant", "content", "A")),
                "rejected", List.of(Map.of("role", "user", "content", "Hi"), Map.of("role", "assistant", "content", "B")),
                "score_chosen", 1.0, "score_rejected", 0.0);
        Path train = ParquetFixtures.write(folder.resolve("train_prefs-00000-of-00001.parquet"),
                ParquetFixtures.ULTRAFEEDBACK, List.of(row, row));
        ParquetFixtures.write(folder.resolve("test_prefs-00000-of-00001.parquet"), ParquetFixtures.ULTRAFEEDBACK,
                List.of(row));
        ParquetFixtures.write(folder.resolve("test_gen-00000-of-00001.parquet"), ParquetFixtures.ULTRAFEEDBACK,
                List.of(row, row, row));
        TrainEvalSplit split = PreferenceDatasets.split(new UltraFeedbackAdapter(), List.of(train),
                LoadOptions.defaults(), SplitOptions.defaults());
        assertThat(split.fromDataset()).isTrue();
        assertThat(split.eval().files()).extracting(p -> p.getFileName().toString())
                .containsExactly("test_prefs-00000-of-00001.parquet");
        assertThat(count(split.train())).isEqualTo(2);
        assertThat(count(split.eval())).isEqualTo(1);
    }

    @Test
    void seededSplitIsDeterministicAndDisjoint() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            rows.add(orca("q" + i, "a", "b"));
        }
        Path file = JsonlFixtures.write(dir.resolve("pairs.jsonl"), rows);
        SplitOptions options = new SplitOptions(0.1, 7);
        TrainEvalSplit split = PreferenceDatasets.split(new OrcaDpoPairsAdapter(), List.of(file),
                LoadOptions.defaults(), options);
        assertThat(split.fromDataset()).isFalse();
        List<String> eval = new ArrayList<>();
        split.eval().forEach(e -> eval.add(e.prompt().get(0).content()));
        List<String> again = new ArrayList<>();
        PreferenceDatasets.split(new OrcaDpoPairsAdapter(), List.of(file), LoadOptions.defaults(), options)
                .eval().forEach(e -> again.add(e.prompt().get(0).content()));
        assertThat(again).isEqualTo(eval);
        assertThat(eval.size()).isBetween(60, 140);
        assertThat(count(split.train()) + eval.size()).isEqualTo(1000);
        List<String> train = new ArrayList<>();
        split.train().forEach(e -> train.add(e.prompt().get(0).content()));
        assertThat(train).doesNotContainAnyElementsOf(eval);
    }
}
