package dev.dpo4j.adapters.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.dpo4j.api.data.DataFormatException;
import dev.dpo4j.api.data.DatasetRow;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Streams the objects of a top-level JSON array with Gson's streaming {@link JsonReader}: only one element is in
 * memory at a time. A malformed array cannot be resynchronised, so a syntax error ends the file even in lenient
 * mode. A {@code .json} file whose first character is '{' is handed to the JSON Lines reader, since that is what
 * {@code datasets.Dataset.to_json} writes. Invalid UTF-8 is an error naming the file and element; lenient, it ends
 * the file (a streaming parser cannot resynchronise) and is counted as one skipped row.
 */
final class JsonArrayReader extends LookaheadRows implements AutoCloseable {

    private final String file;
    private final JsonReader json;
    private final BadRowHandler badRows;
    private long row;
    private boolean done;

    private JsonArrayReader(Path path, JsonReader json, BadRowHandler badRows) {
        this.file = path.toString();
        this.json = json;
        this.badRows = badRows;
    }

    static Stream<DatasetRow> open(Path path, BadRowHandler badRows) {
        BufferedInputStream in = TextFiles.open(path);
        try {
            in.mark(1 << 12);
            int c;
            do {
                c = in.read();
            } while (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == 0xEF || c == 0xBB || c == 0xBF);
            in.reset();
            if (c == '{') {
                return JsonLinesReader.open(path, in, badRows);
            }
            if (c != '[') {
                in.close();
                throw new DataFormatException(path.toString(), -1, null, c < 0 ? "is empty"
                        : c >= 0x80 ? "is not a JSON array or JSON Lines file (starts with the byte 0x"
                                + Integer.toHexString(c) + ")"
                        : "is not a JSON array or JSON Lines file (starts with '" + (char) c + "')");
            }
            JsonReader json = new JsonReader(new BufferedReader(TextFiles.reader(in), 1 << 16));
            json.setStrictness(Strictness.STRICT);
            json.beginArray();
            JsonArrayReader cursor = new JsonArrayReader(path, json, badRows);
            return RowStreams.of(cursor, cursor);
        } catch (IOException e) {
            closeQuietly(in);
            throw new DataFormatException(path.toString(), 0, null, (TextFiles.invalidUtf8(e) ? "invalid UTF-8"
                    : "malformed JSON: " + e.getMessage()), e);
        }
    }

    @Override
    public boolean hasNext() {
        if (next != null) {
            return true;
        }
        if (done) {
            return false;
        }
        try {
            if (json.peek() == JsonToken.END_ARRAY) {
                json.endArray();
                done = true;
                return false;
            }
        } catch (IOException e) {
            if (TextFiles.invalidUtf8(e)) {
                return invalidUtf8(e);
            }
            throw malformed(e);
        }
        long index = row++;
        JsonElement element;
        try {
            element = JsonParser.parseReader(json);
        } catch (JsonParseException e) {
            if (TextFiles.invalidUtf8(e)) {
                row = index;
                return invalidUtf8(e);
            }
            done = true;
            throw new DataFormatException(file, index, null, "malformed JSON: " + JsonLinesReader.rootMessage(e), e);
        }
        if (!element.isJsonObject()) {
            throw new DataFormatException(file, index, null, "array element is not a JSON object but " + element);
        }
        next = new DatasetRow(file, index, JsonValues.toMap(element.getAsJsonObject()));
        return true;
    }

    /** Reports invalid UTF-8 at the current element; lenient, the file ends there. */
    private boolean invalidUtf8(Exception e) {
        done = true;
        badRows.onBadRow(new DataFormatException(file, row, null, "invalid UTF-8 in array element " + row
                + "; the rest of the file is not read", e));
        return false;
    }

    private DataFormatException malformed(IOException e) {
        done = true;
        return new DataFormatException(file, row, null, "malformed JSON: " + e.getMessage(), e);
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
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
