package dev.dpo4j.adapters.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.dpo4j.api.data.DataFormatException;
import dev.dpo4j.api.data.DatasetRow;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A malformed JSON Lines row is reported in the project's words: the file, its line in the file (the only line
 * number) and the column, never Gson's advice to go lenient or its own line count (always 1 for one line).
 */
class MalformedJsonLineTest {

    private static final String GOOD = "{\"question\":\"q\",\"chosen\":\"a\",\"rejected\":\"b\"}";

    @TempDir
    Path dir;

    private String message(String badLine) throws IOException {
        Path file = Files.writeString(dir.resolve("pairs.jsonl"), GOOD + "\n\n" + badLine + "\n" + GOOD + "\n",
                StandardCharsets.UTF_8);
        Throwable error = catchThrowable(() -> {
            try (Stream<DatasetRow> rows = DatasetReader.read(file)) {
                rows.forEach(row -> { });
            }
        });
        assertThat(error).isInstanceOf(DataFormatException.class).hasCauseInstanceOf(RuntimeException.class);
        String message = error.getMessage();
        assertThat(message).startsWith(file + ", row 1: malformed JSON on line 3")
                .doesNotContain("setStrictness", "JsonReader", "Strictness", "LENIENT", "gson", "Troubleshooting",
                        "line 1", "path $", "\n");
        return message;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{\"question\": tru|, column 14 (in 'question'): not valid JSON here",
        "not json|, column 1: not valid JSON here",
        "{'question':'q'}|, column 3: not valid JSON here",
        "{\"question\":\"q\",}|, column 18 (in 'question'): expected a field name in double quotes",
        "{\"question\" \"q\"}|, column 14 (in 'question'): expected ':' after the field name",
        "{\"question\":\"q|, column 15 (in 'question'): a string is not closed with '\"'",
        "{\"question\":[\"q\"|, column 17 (in 'question[1]'): the line ends before the JSON object does",
        "{\"question\":\"\\x\"}|, column 16 (in 'question'): a string has an invalid escape sequence",
        "{\"question\":\"q\"} trailing|: there is more text after the JSON object; each line must hold one object",
        "[1]|: expected a JSON object but found [1]",
    })
    void namesFileLineAndColumnInTheProjectsWords(String badLine, String expected) throws IOException {
        assertThat(message(badLine)).contains("malformed JSON on line 3" + expected);
    }

    @Test
    void theReportedLineIsTheFilesLine() throws IOException {
        assertThat(message("{\"question\": tru")).containsOnlyOnce("line").contains("line 3, column 14");
    }
}
