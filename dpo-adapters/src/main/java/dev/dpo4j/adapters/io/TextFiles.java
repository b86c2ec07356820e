package dev.dpo4j.adapters.io;

import dev.dpo4j.api.data.DataFormatException;
import dev.dpo4j.hub.datasets.DataFileFormat;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Opens UTF-8 text files, gunzipping {@code .gz} ones on the fly. Invalid UTF-8 is reported, never replaced: a
 * reader from {@link #reader} throws a {@link CharacterCodingException}, and {@link #decode} says where.
 */
final class TextFiles {

    private TextFiles() {
    }

    /** The file's bytes, buffered (mark/reset supported), gunzipped when the name ends in {@code .gz}. */
    static BufferedInputStream open(Path path) {
        try {
            InputStream in = Files.newInputStream(path);
            if (DataFileFormat.gzipped(path)) {
                try {
                    in = new GZIPInputStream(in, 1 << 16);
                } catch (IOException notGzip) {
                    in.close();
                    throw notGzip;
                }
            }
            return new BufferedInputStream(in, 1 << 16);
        } catch (IOException e) {
            throw new DataFormatException(path.toString(), -1, null, "cannot be opened: " + e, e);
        }
    }

    /**
     * A strict UTF-8 reader over the bytes: malformed input throws instead of becoming U+FFFD, and only once every
     * character before it has been read (so a parser reading it knows where it is).
     */
    static Reader reader(InputStream in) {
        return new StrictUtf8Reader(in);
    }

    /** Decodes UTF-8, handing out all valid characters before reporting the invalid bytes after them. */
    private static final class StrictUtf8Reader extends Reader {
        private final InputStream in;
        private final CharsetDecoder decoder = strictDecoder();
        private final ByteBuffer bytes = ByteBuffer.allocate(1 << 16).flip();
        private boolean eof;
        private CoderResult error;

        StrictUtf8Reader(InputStream in) {
            this.in = in;
        }

        @Override
        public int read(char[] buffer, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            CharBuffer out = CharBuffer.wrap(buffer, offset, length);
            while (out.position() == offset) {
                if (error != null) {
                    error.throwException();
                }
                CoderResult result = decoder.decode(bytes, out, eof);
                if (result.isError()) {
                    error = result;
                } else if (result.isUnderflow() && out.position() == offset) {
                    if (eof) {
                        decoder.flush(out);
                        return out.position() == offset ? -1 : out.position() - offset;
                    }
                    bytes.compact();
                    int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
                    if (n < 0) {
                        eof = true;
                    } else {
                        bytes.position(bytes.position() + n);
                    }
                    bytes.flip();
                }
            }
            return out.position() - offset;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    static CharsetDecoder strictDecoder() {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    /** Whether the failure (or one of its causes) is invalid UTF-8. */
    static boolean invalidUtf8(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CharacterCodingException) {
                return true;
            }
        }
        return false;
    }
}
