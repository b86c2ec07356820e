package dev.dpo4j.cli.launch;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ranks' output on the launcher's console: rank 0 (on a node other than the first, the node's first rank)
 * speaks for the run, its standard output and error pass through unchanged, byte for byte (progress bars
 * included). A line of another rank is shown, on standard error as {@code [rank k] line}, only where it differs from
 * rank 0's: one that rank 0 printed among its last {@link #WINDOW_LINES} lines, or prints within {@code hold} of it,
 * is dropped. A shown line starts on a line of its own, after rank 0's progress bar. Memory stays bounded: the
 * window, at most {@link #MAX_HELD} held lines a rank.
 */
public final class OutputRelay {

    /** How many of rank 0's recent lines another rank's line is compared with. */
    static final int WINDOW_LINES = 1000;
    /** How many lines of a rank wait for rank 0 at most; the oldest is shown when more come. */
    static final int MAX_HELD = 500;

    private final PrintStream out;
    private final PrintStream err;
    private final long holdNanos;
    private final int speaker;
    private final Map<String, Boolean> window = new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > WINDOW_LINES;
        }
    };
    private final Map<Integer, Deque<Held>> held = new TreeMap<>();
    private int speakerStreams = 2;
    private boolean errMidLine;

    /** A line of a rank waiting for rank 0, since {@code nanos}. */
    private record Held(String text, byte[] bytes, long nanos) {
    }

    /**
     * Relays to {@code out} and {@code err}, {@code speaker} (the node's first rank) speaking for the run; another
     * rank's line waits {@code holdNanos} for the speaker's.
     */
    public OutputRelay(PrintStream out, PrintStream err, long holdNanos, int speaker) {
        this.out = out;
        this.err = err;
        this.holdNanos = holdNanos;
        this.speaker = speaker;
    }

    /** Bytes a rank wrote: the speaker's are passed through at once. */
    synchronized void chunk(int rank, boolean error, byte[] bytes, int length) {
        if (rank != speaker || length == 0) {
            return;
        }
        PrintStream target = error ? err : out;
        target.write(bytes, 0, length);
        target.flush();
        if (error) {
            errMidLine = bytes[length - 1] != '\n';
        }
    }

    /** A whole line of a rank. */
    synchronized void line(int rank, byte[] bytes) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1); // every byte as it is
        if (rank == speaker) {
            window.remove(text);
            window.put(text, Boolean.TRUE);
            held.values().forEach(lines -> lines.removeIf(line -> line.text.equals(text)));
            return;
        }
        if (window.containsKey(text)) {
            return;
        }
        if (speakerStreams == 0) {
            show(rank, bytes);
            return;
        }
        Deque<Held> lines = held.computeIfAbsent(rank, r -> new ArrayDeque<>());
        lines.addLast(new Held(text, bytes, System.nanoTime()));
        if (lines.size() > MAX_HELD) {
            show(rank, lines.removeFirst().bytes);
        }
    }

    /** A stream of a rank ended; once both of rank 0's did, no held line can match any more. */
    synchronized void ended(int rank) {
        if (rank == speaker && --speakerStreams == 0) {
            showHeldSince(Long.MAX_VALUE);
        }
    }

    /** Shows the lines that waited {@code hold} for rank 0 in vain. */
    public synchronized void showDue() {
        showHeldSince(System.nanoTime() - holdNanos);
    }

    /** Shows the lines of {@code rank} still held: it failed, and its last words come before the launcher's. */
    public synchronized void release(int rank) {
        Deque<Held> lines = held.getOrDefault(rank, new ArrayDeque<>());
        while (!lines.isEmpty()) {
            show(rank, lines.removeFirst().bytes);
        }
    }

    /** Shows every line still held: the ranks are done. */
    public synchronized void finish() {
        showHeldSince(Long.MAX_VALUE);
    }

    private void showHeldSince(long heldSince) {
        held.forEach((rank, lines) -> {
            for (Iterator<Held> it = lines.iterator(); it.hasNext();) {
                Held line = it.next();
                if (heldSince != Long.MAX_VALUE && line.nanos - heldSince > 0) {
                    break;
                }
                it.remove();
                show(rank, line.bytes);
            }
        });
    }

    /** A line of the launcher's own, on standard error. */
    public synchronized void note(String text) {
        breakLine();
        err.println(text);
        err.flush();
    }

    private void breakLine() {
        if (errMidLine) {
            err.write('\n'); // below rank 0's progress bar, not into it
            errMidLine = false;
        }
    }

    private void show(int rank, byte[] bytes) {
        breakLine();
        byte[] prefix = ("[rank " + rank + "] ").getBytes(StandardCharsets.US_ASCII);
        err.write(prefix, 0, prefix.length);
        err.write(bytes, 0, bytes.length);
        err.write('\n');
        err.flush();
    }
}
