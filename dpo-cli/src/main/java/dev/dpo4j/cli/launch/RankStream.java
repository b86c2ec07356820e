package dev.dpo4j.cli.launch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads one output stream of a rank until it ends, handing each chunk (rank 0's pass through as they come) and each
 * line to the {@link OutputRelay}. A line is what a terminal would show of it: the text after its last carriage
 * return (a progress bar's last state), without the {@code \r\n} or {@code \n} ending it; a line longer than
 * {@link #MAX_LINE_BYTES} is cut there, so memory stays bounded.
 */
final class RankStream {

    /** The longest line kept whole. */
    static final int MAX_LINE_BYTES = 8 * 1024;

    private final int rank;
    private final boolean error;
    private final OutputRelay relay;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean carriageReturn;

    RankStream(int rank, boolean error, OutputRelay relay) {
        this.rank = rank;
        this.error = error;
        this.relay = relay;
    }

    /** Copies {@code in} to its end, then tells the relay the stream ended. */
    void copy(InputStream in) {
        byte[] buffer = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                relay.chunk(rank, error, buffer, n);
                split(buffer, n);
            }
        } catch (IOException e) {
            // the pipe broke with the rank: what was read is relayed below, and its exit code tells the rest
        } finally {
            if (line.size() > 0) {
                endLine();
            }
            relay.ended(rank);
        }
    }

    private void split(byte[] buffer, int n) {
        for (int i = 0; i < n; i++) {
            byte b = buffer[i];
            if (b == '\n') {
                carriageReturn = false;
                endLine();
            } else if (b == '\r') {
                carriageReturn = true;
            } else {
                if (carriageReturn) {
                    line.reset(); // the terminal draws over what came before the \r
                    carriageReturn = false;
                }
                if (line.size() == MAX_LINE_BYTES) {
                    endLine();
                }
                line.write(b);
            }
        }
    }

    private void endLine() {
        relay.line(rank, line.toByteArray());
        line.reset();
    }
}
