package dev.dpo4j.adapters.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.dpo4j.api.data.DataFormatException;
import dev.dpo4j.api.data.DatasetRow;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/**
 * Streams a JSON Lines file one line at a time. Blank lines are ignored; row indices count the non-blank lines
 * from 0, and each row's source names its 1-based line number ({@code file.jsonl:12}) so errors point at it.
 */
final class JsonLinesReader implements Iterator<DatasetRow>, AutoCloseable {

    private final String file;
    private final BufferedReader reader;
    private final BadRowHandler badRows;
    private long line;
    private long row;
    private DatasetRow next;

    private JsonLinesReader(Path path, BufferedReader reader, BadRowHandler badRows) {
        this.file = path.toString();
        this.reader = reader;
        this.badRows = badRows;
    }

    static Stream<DatasetRow> open(Path path, BadRowHandler badRows) {
        JsonLinesReader cursor = new JsonLinesReader(path, TextFiles.open(path), badRows);
        return RowStreams.of(cursor, cursor);
    }

    /** Reads from an already opened reader (a .json file that turned out to hold JSON Lines). */
    static Stream<DatasetRow> open(Path path, BufferedReader reader, BadRowHandler badRows) {
        JsonLinesReader cursor = new JsonLinesReader(path, reader, badRows);
        return RowStreams.of(cursor, cursor);
    }

    @Override
    public boolean hasNext() {
        while (next == null) {
            String text;
            try {
                text = reader.readLine();
            } catch (IOException e) {
                throw new DataFormatException(file, row, null, "could not read line " + (line + 1) + ": " + e, e);
            }
            if (text == null) {
                return false;
            }
            line++;
            if (text.isBlank()) {
                continue;
            }
            long index = row++;
            String source = file + ":" + line;
            try {
                next = new DatasetRow(source, index, JsonValues.toMap(parseObject(text)));
            } catch (JsonParseException | IllegalStateException | IOException e) {
                badRows.onBadRow(new DataFormatException(file, index, null,
                        "malformed JSON on line " + line + ": " + rootMessage(e), e));
            }
        }
        return true;
    }

    private static com.google.gson.JsonObject parseObject(String text) throws IOException {
        JsonReader json = new JsonReader(new StringReader(text));
        json.setStrictness(Strictness.STRICT);
        JsonElement element = JsonParser.parseReader(json);
        if (json.peek() != JsonToken.END_DOCUMENT) {
            throw new JsonParseException("unexpected text after the JSON object");
        }
        if (!element.isJsonObject()) {
            throw new JsonParseException("expected a JSON object but found " + element);
        }
        return element.getAsJsonObject();
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    @Override
    public DatasetRow next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        DatasetRow result = next;
        next = null;
        return result;
    }

    @Override
    public void close() {
        try {
            reader.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
