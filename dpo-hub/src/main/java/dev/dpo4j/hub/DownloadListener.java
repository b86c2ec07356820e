package dev.dpo4j.hub;

import java.io.PrintStream;
import java.time.Duration;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Told about every file download of a {@link HubClient}; {@link #silent()} hears nothing, {@link #progressBar}
 * draws a console progress bar for files above a size, {@link #logging} writes a log line per large file.
 */
@FunctionalInterface
public interface DownloadListener {

    /** Files below this many bytes get no progress bar or log line by default (10 MiB). */
    long DEFAULT_THRESHOLD = 10L << 20;

    /** The progress of one file download. */
    interface Progress extends AutoCloseable {
        /** Bytes of the file on disk so far (including bytes from an earlier, resumed download). */
        void update(long bytesSoFar);

        /** The download ended (completed or failed). */
        @Override
        void close();
    }

    /** A no-op progress. */
    Progress NO_PROGRESS = new Progress() {
        @Override
        public void update(long bytesSoFar) {
        }

        @Override
        public void close() {
        }
    };

    /**
     * A download starts.
     *
     * @param repoId the repository
     * @param path the file inside it
     * @param totalBytes the file size, or -1 when unknown
     * @param resumedFrom bytes already on disk from an interrupted download (0 for a fresh one)
     */
    Progress started(String repoId, String path, long totalBytes, long resumedFrom);

    /** Hears nothing. */
    static DownloadListener silent() {
        return (repoId, path, total, resumedFrom) -> NO_PROGRESS;
    }

    /** A progress bar on standard error for files of at least {@code thresholdBytes}. */
    static DownloadListener progressBar(long thresholdBytes) {
        return progressBar(thresholdBytes, System.err);
    }

    /** A progress bar on the given stream for files of at least {@code thresholdBytes}. */
    static DownloadListener progressBar(long thresholdBytes, PrintStream out) {
        return (repoId, path, total, resumedFrom) -> {
            if (total < thresholdBytes) {
                return NO_PROGRESS;
            }
            String name = path.substring(path.lastIndexOf('/') + 1);
            ProgressBar bar = new ProgressBarBuilder().setTaskName(name).setInitialMax(total)
                    .startsFrom(resumedFrom, Duration.ZERO).setUnit("MiB", 1L << 20).showSpeed()
                    .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(out)).build();
            return new Progress() {
                @Override
                public void update(long bytesSoFar) {
                    bar.stepTo(bytesSoFar);
                }

                @Override
                public void close() {
                    bar.close();
                }
            };
        };
    }

    /** One SLF4J INFO line when a file of at least {@code thresholdBytes} starts and one when it ends. */
    static DownloadListener logging(long thresholdBytes) {
        Logger log = LoggerFactory.getLogger(HubClient.class);
        return (repoId, path, total, resumedFrom) -> {
            if (total < thresholdBytes) {
                return NO_PROGRESS;
            }
            log.info("downloading {}/{} ({} MiB{})", repoId, path, total >> 20,
                    resumedFrom > 0 ? ", resuming at " + (resumedFrom >> 20) + " MiB" : "");
            long start = System.nanoTime();
            return new Progress() {
                @Override
                public void update(long bytesSoFar) {
                }

                @Override
                public void close() {
                    log.info("{}/{} done in {} s", repoId, path, (System.nanoTime() - start) / 1_000_000_000L);
                }
            };
        };
    }
}
