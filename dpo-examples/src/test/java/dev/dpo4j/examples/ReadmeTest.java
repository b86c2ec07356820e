package dev.dpo4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the README honest: every Java block in it starts with its imports and stands, line for line, in a source
 * file that is compiled (and run by a test) with those imports, and its test command is the one {@code .ci/run} calls.
 */
class ReadmeTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern BLOCK = Pattern.compile("```(\\w+)\\n(.*?)```", Pattern.DOTALL);

    @Test
    void everyJavaBlockIsCompiledCode() throws IOException {
        List<String> blocks = blocks("java");
        assertThat(blocks).hasSizeGreaterThanOrEqualTo(3);
        List<List<String>> sources = new ArrayList<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path file : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> p.toString().contains("/src/"))::iterator) {
                sources.add(trimmed(Files.readString(file)));
            }
        }
        for (String block : blocks) {
            List<String> lines = trimmed(block);
            // the block's imports head it, so it compiles as shown; they stand in the same file as its code
            List<String> imports = lines.stream().filter(l -> l.startsWith("import ")).toList();
            List<String> code = lines.subList(imports.size(), lines.size());
            assertThat(imports).as("README block names no imports:%n%s", block).isNotEmpty();
            assertThat(sources.stream().anyMatch(source -> Collections.indexOfSubList(source, code) >= 0
                    && source.containsAll(imports)))
                    .as("README block (code and imports) not found in any source file:%n%s", block).isTrue();
        }
    }

    @Test
    void theTestCommandIsTheOneCiRuns() throws IOException {
        String ci = Files.readString(ROOT.resolve(".ci/run"));
        List<String> commands = blocks("bash");
        assertThat(commands).contains("mvn -B -ntp verify\n");
        assertThat(ci).contains("\nmvn -B -ntp verify\n");
    }

    @Test
    void theMainJobAndEveryFlagExampleUseTheDpoScript() throws IOException {
        List<String> commands = blocks("bash");
        assertThat(commands.get(0)).isEqualTo("./dpo\n");
        assertThat(String.join("", commands)).doesNotContain("-Pdpo").doesNotContain("dpo.args");
        for (Path doc : List.of(ROOT.resolve("README.md"), ROOT.resolve("dpo-cli/USAGE.md"))) {
            for (String line : Files.readAllLines(doc)) {
                assertThat(line).as(doc.toString()).doesNotContain("-Pdpo").doesNotContain("examples.cli");
            }
        }
        assertThat(Files.isExecutable(ROOT.resolve("dpo"))).isTrue();
    }

    private static List<String> blocks(String language) throws IOException {
        Matcher matcher = BLOCK.matcher(Files.readString(ROOT.resolve("README.md")));
        List<String> blocks = new ArrayList<>();
        while (matcher.find()) {
            if (matcher.group(1).equals(language)) {
                blocks.add(matcher.group(2));
            }
        }
        return blocks;
    }

    private static List<String> trimmed(String text) {
        return text.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
    }
}
