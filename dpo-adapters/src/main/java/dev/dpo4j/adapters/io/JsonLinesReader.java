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
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/**
 * Streams a JSON Lines file one line at a time. Blank lines are ignored; row indices count the non-blank lines
 * from 0, and each row's source names its 1-based line number ({@code file.jsonl:12}) so errors point at it. Lines
 * are split on bytes ({@code \n}, {@code \r\n} or {@code \r}) and decoded strictly: a line with invalid UTF-8, or
 * longer than {@link #MAX_LINE_BYTES}, is a bad row (an error naming file and line, or skipped when lenient).
 */
final class JsonLinesReader implements Iterator<DatasetRow>, AutoCloseable {

    /** The longest line read (64 MiB): far more than any row that can fit a training sequence. */
    static final int MAX_LINE_BYTES = 1 << 26;

    private final String file;
    private final InputStream in;
    private final BadRowHandler badRows;
    private final CharsetDecoder decoder = TextFiles.strictDecoder();
    private final byte[] chunk = new byte[1 << 16];
    private int position;
    private int limit;
    private byte[] buffer = new byte[1 << 12];
    private long line;
    private long row;
    private DatasetRow next;

    private JsonLinesReader(Path path, InputStream in, BadRowHandler badRows) {
        this.file = path.toString();
        this.in = in;
        this.badRows = badRows;
    }

    static Stream<DatasetRow> open(Path path, BadRowHandler badRows) {
        return open(path, TextFiles.open(path), badRows);
    }

    /** Reads from an already opened stream (a .json file that turned out to hold JSON Lines). */
    static Stream<DatasetRow> open(Path path, BufferedInputStream in, BadRowHandler badRows) {
        JsonLinesReader cursor = new JsonLinesReader(path, in, badRows);
        return RowStreams.of(cursor, cursor);
    }

    @Override
    public boolean hasNext() {
        while (next == null) {
            int length;
            try {
                length = readLine();
            } catch (IOException e) {
                throw new DataFormatException(file, row, null, "could not read line " + (line + 1) + ": " + e, e);
            }
            if (length == EOF) {
                return false;
            }
            line++;
            if (length == TOO_LONG) {
                badRows.onBadRow(new DataFormatException(file, row++, null, "line " + line + " is longer than "
                        + MAX_LINE_BYTES + " bytes, more than any row can use"));
                continue;
            }
            String text;
            try {
                text = decode(length);
            } catch (CharacterCodingException e) {
                badRows.onBadRow(new DataFormatException(file, row++, null, "invalid UTF-8 on line " + line
                        + " at byte " + e.getMessage() + " of the line", e));
                continue;
            }
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

    private static final int EOF = -1;
    private static final int TOO_LONG = -2;

    /** Reads one line's bytes (without its terminator) into the buffer: its length, EOF or TOO_LONG. */
    private int readLine() throws IOException {
        int length = 0;
        boolean tooLong = false;
        int b = read();
        if (b < 0) {
            return EOF;
        }
        while (b >= 0 && b != '\n' && b != '\r') {
            if (!tooLong) {
                if (length == MAX_LINE_BYTES) {
                    tooLong = true;
                    buffer = new byte[1 << 12];
                } else {
                    if (length == buffer.length) {
                        buffer = Arrays.copyOf(buffer, (int) Math.min(MAX_LINE_BYTES, 2L * buffer.length));
                    }
                    buffer[length++] = (byte) b;
                }
            }
            b = read();
        }
        if (b == '\r') {
            if (peek() == '\n') {
                read();
            }
        }
        if (buffer.length > (1 << 20) && length < (1 << 12)) {
            buffer = new byte[1 << 12]; // give back a huge line's buffer
        }
        return tooLong ? TOO_LONG : length;
    }

    private int read() throws IOException {
        int b = peek();
        if (b >= 0) {
            position++;
        }
        return b;
    }

    private int peek() throws IOException {
        if (position == limit) {
            int n = in.read(chunk);
            if (n <= 0) {
                return -1;
            }
            position = 0;
            limit = n;
        }
        return chunk[position] & 0xFF;
    }

    /** The line decoded strictly; the exception's message is the 1-based byte offset of the bad byte. */
    private String decode(int length) throws CharacterCodingException {
        ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, length);
        CharBuffer chars = CharBuffer.allocate(length);
        decoder.reset();
        CoderResult result = decoder.decode(bytes, chars, true);
        if (!result.isError()) {
            result = decoder.flush(chars);
        }
        if (result.isError()) {
            throw new CharacterCodingException() {
                private static final long serialVersionUID = 1L;

                @Override
                public String getMessage() {
                    return String.valueOf(bytes.position() + 1);
                }
            };
        }
        return chars.flip().toString();
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
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
