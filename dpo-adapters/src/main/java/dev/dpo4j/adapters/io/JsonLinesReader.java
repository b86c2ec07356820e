package dev.dpo4j.adapters.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Streams a JSON Lines file one line at a time. Blank lines are ignored; row indices count the non-blank lines
 * from 0, and each row's source names its 1-based line number ({@code file.jsonl:12}) so errors point at it. Lines
 * are split on bytes ({@code \n}, {@code \r\n} or {@code \r}) and decoded strictly: a line with invalid UTF-8, or
 * longer than {@link #MAX_LINE_BYTES}, is a bad row (an error naming file and line, or skipped when lenient).
 */
final class JsonLinesReader extends LookaheadRows implements AutoCloseable {

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
                        "malformed JSON on line " + line + describeSyntaxError(e), e));
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
        JsonToken after;
        try {
            after = json.peek();
        } catch (MalformedJsonException e) {
            after = null;
        }
        if (after != JsonToken.END_DOCUMENT) {
            throw new JsonParseException("there is more text after the JSON object; each line must hold one object");
        }
        if (!element.isJsonObject()) {
            throw new JsonParseException("expected a JSON object but found " + element);
        }
        return element.getAsJsonObject();
    }

    /** Gson's message: what went wrong, then {@code at line L column C path P}, then a link on its own line. */
    private static final Pattern GSON_MESSAGE =
            Pattern.compile("(.*?) at line \\d+ column (\\d+) path (\\S*)(?s:.*)");

    /**
     * A parse error in the project's words, to follow "on line N": {@code , column C (in 'field'): what}. Gson's
     * own message counts lines within the one line it was given (always line 1) and advises its lenient mode, so
     * only its column and JSON path are kept.
     */
    static String describeSyntaxError(Throwable e) {
        String message = rootMessage(e);
        Matcher m = GSON_MESSAGE.matcher(message);
        if (!m.matches()) {
            return ": " + message.strip();
        }
        StringBuilder sb = new StringBuilder(", column ").append(m.group(2));
        String path = m.group(3).startsWith("$") ? m.group(3).substring(1) : m.group(3);
        path = path.startsWith(".") ? path.substring(1) : path;
        if (!path.isEmpty()) {
            sb.append(" (in '").append(path).append("')");
        }
        return sb.append(": ").append(plainProblem(m.group(1).strip())).toString();
    }

    private static String plainProblem(String gson) {
        if (gson.startsWith("Use JsonReader.setStrictness")) {
            return "not valid JSON here (text must be in double quotes; single quotes, comments, NaN, leading zeros"
                    + " and bare words are not allowed)";
        }
        return switch (gson) {
            case "End of input" -> "the line ends before the JSON object does";
            case "Unterminated string" -> "a string is not closed with '\"'";
            case "Unterminated object" -> "the object is not closed with '}' (or a ',' is missing)";
            case "Unterminated array" -> "an array is not closed with ']' (or a ',' is missing)";
            case "Expected name" -> "expected a field name in double quotes";
            case "Expected ':'" -> "expected ':' after the field name";
            case "Expected value" -> "expected a value";
            case "Invalid escape sequence", "Unterminated escape sequence" -> "a string has an invalid escape"
                    + " sequence (use \\\\, \\\", \\n, \\t, \\uXXXX and the like)";
            default -> gson.isEmpty() ? "not valid JSON" : Character.toLowerCase(gson.charAt(0)) + gson.substring(1);
        };
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
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
