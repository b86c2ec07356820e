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
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/**
 * Streams the objects of a top-level JSON array with Gson's streaming {@link JsonReader}: only one element is in
 * memory at a time. A malformed array cannot be resynchronised, so a syntax error ends the file even in lenient
 * mode. A {@code .json} file whose first character is '{' is handed to the JSON Lines reader, since that is what
 * {@code datasets.Dataset.to_json} writes.
 */
final class JsonArrayReader implements Iterator<DatasetRow>, AutoCloseable {

    private final String file;
    private final JsonReader json;
    private long row;
    private boolean done;

    private JsonArrayReader(Path path, JsonReader json) {
        this.file = path.toString();
        this.json = json;
    }

    static Stream<DatasetRow> open(Path path, BadRowHandler badRows) {
        BufferedReader reader = TextFiles.open(path);
        try {
            reader.mark(1 << 12);
            int c;
            do {
                c = reader.read();
            } while (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == 0xFEFF);
            reader.reset();
            if (c == '{') {
                return JsonLinesReader.open(path, reader, badRows);
            }
            if (c != '[') {
                reader.close();
                throw new DataFormatException(path.toString(), -1, null, c < 0 ? "is empty"
                        : "is not a JSON array or JSON Lines file (starts with '" + (char) c + "')");
            }
            JsonReader json = new JsonReader(reader);
            json.setStrictness(Strictness.STRICT);
            json.beginArray();
            JsonArrayReader cursor = new JsonArrayReader(path, json);
            return RowStreams.of(cursor, cursor);
        } catch (IOException e) {
            closeQuietly(reader);
            throw new DataFormatException(path.toString(), 0, null, "malformed JSON: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean hasNext() {
        if (done) {
            return false;
        }
        try {
            if (json.peek() == JsonToken.END_ARRAY) {
                json.endArray();
                done = true;
                return false;
            }
            return true;
        } catch (IOException e) {
            throw malformed(e);
        }
    }

    @Override
    public DatasetRow next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        long index = row++;
        JsonElement element;
        try {
            element = JsonParser.parseReader(json);
        } catch (JsonParseException e) {
            done = true;
            throw new DataFormatException(file, index, null, "malformed JSON: " + JsonLinesReader.rootMessage(e), e);
        }
        if (!element.isJsonObject()) {
            throw new DataFormatException(file, index, null, "array element is not a JSON object but " + element);
        }
        return new DatasetRow(file, index, JsonValues.toMap(element.getAsJsonObject()));
    }

    private DataFormatException malformed(IOException e) {
        done = true;
        return new DataFormatException(file, row, null, "malformed JSON: " + e.getMessage(), e);
    }

    private static void closeQuietly(BufferedReader reader) {
        try {
            reader.close();
        } catch (IOException ignored) {
            // already failing
        }
    }

    @Override
    public void close() {
        try {
            json.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
