package dev.dpo4j.core.metrics;

import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBarRenderer;
import me.tongfei.progressbar.ProgressState;

/**
 * Renders {@link ConsoleProgress}'s bar within the terminal's width: the numbers first claim their room, and the bar
 * itself takes what is left (none on a narrow terminal), so a line is never cut inside the metrics.
 */
final class StepBarRenderer implements ProgressBarRenderer {

    private static final int MAX_BAR = 40;
    private static final int MIN_BAR = 6;

    @Override
    public String render(ProgressState p, int maxLength) {
        long current = p.getCurrent();
        long max = Math.max(p.getMax(), 1);
        long percent = Math.min(100, 100 * current / max);
        Duration elapsed = p.getElapsedAfterStart();
        long done = current - p.getStart();
        String eta = done <= 0 ? "?" : clock(elapsed.multipliedBy(Math.max(0, max - current)).dividedBy(done));
        String head = String.format(Locale.ROOT, "%s %3d%%", p.getTaskName(), percent);
        String counts = String.format(Locale.ROOT, " %d/%d", current, max);
        String times = " " + clock(p.getTotalElapsed()) + "<" + eta;
        String extra = p.getExtraMessage() == null || p.getExtraMessage().isEmpty() ? "" : " | "
                + p.getExtraMessage();
        int width = maxLength <= 0 ? Integer.MAX_VALUE : maxLength - 1; // the last column would wrap on some terminals
        if (length(head, counts, times, extra) > width) {
            times = "";
        }
        int room = width - length(head, counts, times, extra) - 3;
        String bar = room < MIN_BAR ? "" : " [" + fill(Math.min(room, MAX_BAR), (double) current / max) + "]";
        return head + bar + counts + times + extra;
    }

    /** {@code h:mm:ss}. */
    static String clock(Duration d) {
        long s = Math.max(0, d.getSeconds());
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }

    /** The terminal's width from {@code COLUMNS} when set, else -1 (the progress bar library asks the terminal). */
    static int columns() {
        String columns = System.getenv("COLUMNS");
        try {
            return columns == null ? -1 : Math.max(20, Integer.parseInt(columns.strip()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int length(String... parts) {
        int n = 0;
        for (String part : parts) {
            n += part.length();
        }
        return n;
    }

    private static String fill(int width, double fraction) {
        int full = (int) Math.round(Math.min(1, Math.max(0, fraction)) * width);
        return "=".repeat(full) + (full < width ? ">" + " ".repeat(width - full - 1) : "");
    }
}
