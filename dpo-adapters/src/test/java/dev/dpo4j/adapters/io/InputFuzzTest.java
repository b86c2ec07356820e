package dev.dpo4j.adapters.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dpo4j.adapters.LoadOptions;
import dev.dpo4j.adapters.PreferenceDataset;
import dev.dpo4j.adapters.PreferenceDatasets;
import dev.dpo4j.adapters.datasets.OrcaDpoPairsAdapter;
import dev.dpo4j.adapters.template.HfChatTemplate;
import dev.dpo4j.adapters.template.HfChatTemplate.TemplateException;
import dev.dpo4j.api.data.ChatMessage;
import dev.dpo4j.api.data.DataFormatException;
import dev.dpo4j.api.data.DatasetRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzz tests (jqwik, a fixed number of tries, seconds each on two cores) for the inputs a training run reads:
 * JSON Lines rows, Parquet footers and chat templates. Whatever the bytes, reading fails only with the project's
 * own exception naming the file (or the template's source), and no try allocates more than {@link #MAX_ALLOCATED}.
 */
class InputFuzzTest {

    /** The most one try may allocate on its thread. */
    static final long MAX_ALLOCATED = 512L << 20;

    private static Path dir;
    private static byte[][] parquet;

    @BeforeContainer
    static void setUp() throws IOException {
        dir = Files.createTempDirectory("dpo4j-fuzz");
        parquet = ParquetFooterTest.validParts(dir);
    }

    @AfterContainer
    static void tearDown() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    private static Path write(String name, byte[] bytes) {
        try {
            return Files.write(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads every row strictly, then loads the file leniently: only DataFormatException, naming the file. */
    private static void readsOrFailsCleanly(Path file) {
        long before = ParquetFooterTest.allocated();
        try (Stream<DatasetRow> rows = DatasetReader.read(file)) {
            rows.forEach(row -> { });
        } catch (DataFormatException e) {
            assertThat(e.getMessage()).contains(file.getFileName().toString());
        }
        try {
            PreferenceDataset data = PreferenceDatasets.load(new OrcaDpoPairsAdapter(), List.of(file),
                    LoadOptions.lenientDefaults());
            data.forEach(example -> { });
        } catch (DataFormatException e) {
            assertThat(e.getMessage()).contains(file.getFileName().toString());
        }
        assertThat(ParquetFooterTest.allocated() - before).isLessThan(MAX_ALLOCATED);
    }

    @Provide
    Arbitrary<byte[]> jsonLines() {
        String row = "{\"question\":\"q\",\"chosen\":\"a\\u00e9\",\"rejected\":\"b\"}\n";
        Arbitrary<byte[]> mutated = Arbitraries.bytes().array(byte[].class).ofMaxSize(16)
                .flatMap(noise -> Arbitraries.integers().between(0, 3 * row.length()).map(at -> {
                    byte[] base = (row + row + row).getBytes(StandardCharsets.UTF_8);
                    byte[] out = new byte[base.length + noise.length];
                    int cut = Math.min(at, base.length);
                    System.arraycopy(base, 0, out, 0, cut);
                    System.arraycopy(noise, 0, out, cut, noise.length);
                    System.arraycopy(base, cut, out, cut + noise.length, base.length - cut);
                    return out;
                }));
        return Arbitraries.oneOf(mutated, Arbitraries.bytes().array(byte[].class).ofMaxSize(256));
    }

    @Property(tries = 300)
    void jsonLinesRows(@ForAll("jsonLines") byte[] bytes) {
        readsOrFailsCleanly(write("fuzz.jsonl", bytes));
        readsOrFailsCleanly(write("fuzz.json", bytes));
    }

    @Provide
    Arbitrary<byte[]> footers() {
        byte[] footer = parquet[1];
        Arbitrary<byte[]> flipped = Arbitraries.integers().between(0, footer.length - 1).list().ofMinSize(1)
                .ofMaxSize(4).flatMap(positions -> Arbitraries.bytes().list().ofSize(positions.size()).map(values -> {
                    byte[] out = footer.clone();
                    for (int i = 0; i < positions.size(); i++) {
                        out[positions.get(i)] = values.get(i);
                    }
                    return out;
                }));
        Arbitrary<byte[]> cut = Arbitraries.integers().between(0, footer.length)
                .map(n -> java.util.Arrays.copyOf(footer, n));
        return Arbitraries.oneOf(flipped, flipped, cut);
    }

    @Property(tries = 300)
    void parquetFooters(@ForAll("footers") byte[] footer) {
        readsOrFailsCleanly(write("fuzz.parquet", ParquetFooterTest.withFooter(parquet[0], footer)));
    }

    @Provide
    Arbitrary<String> templates() {
        Arbitrary<String> fragment = Arbitraries.of(
                "{% for m in messages %}", "{% endfor %}", "{% for i in range(100000) %}", "{% for i in range(3) %}",
                "{% if add_generation_prompt %}", "{% else %}", "{% endif %}", "{{ m['content'] }}",
                "{{ messages[0]['content'] | upper }}", "{% set s = namespace(v='ab') %}", "{% set s.v = s.v ~ s.v %}",
                "{{ s.v }}", "{{ bos_token }}", "{{ raise_exception('no') }}", "{% include 'x' %}",
                "{% import 'x' as y %}", "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}", "{{ 1 / 0 }}",
                "{{ '%s' | format(m) }}", "{{", "}}", "{%", "%}", "<|im_start|>", "\n", "{{ messages | length }}",
                "{{ (messages * 1000) | length }}", "{{ 'x' * 100000000 }}");
        Arbitrary<String> noise = Arbitraries.strings().ofMaxLength(8);
        return Arbitraries.oneOf(fragment, fragment, fragment, noise).list().ofMaxSize(12)
                .map(parts -> String.join("", parts));
    }

    @Property(tries = 200)
    void chatTemplates(@ForAll("templates") String text) {
        long before = ParquetFooterTest.allocated();
        try {
            HfChatTemplate template = HfChatTemplate.of("fuzz.jinja", text, Map.of("bos_token", "<s>"));
            template.renderPrompt(List.of(ChatMessage.user("Hello")));
            template.renderCompletion(List.of(ChatMessage.user("Hello")), "Hi");
        } catch (TemplateException e) {
            assertThat(e.getMessage()).startsWith("fuzz.jinja");
        }
        assertThat(ParquetFooterTest.allocated() - before).isLessThan(MAX_ALLOCATED);
    }
}
