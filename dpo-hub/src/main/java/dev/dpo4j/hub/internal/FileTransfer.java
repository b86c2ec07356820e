package dev.dpo4j.hub.internal;

import dev.dpo4j.hub.DownloadListener;
import dev.dpo4j.hub.HubException;
import dev.dpo4j.hub.HubException.Kind;
import dev.dpo4j.hub.files.AtomicFiles;
import dev.dpo4j.hub.internal.HubHttp.FileMetadata;
import dev.dpo4j.hub.internal.HubHttp.Target;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One file's bytes from the Hub into a blob: written to {@code <blob>.incomplete}, resumed with a Range request
 * after a dropped connection (up to {@code maxRetries} times per call, and by a later call from what is on disk),
 * verified against the size and the checksum the etag stands for ({@link Checksum}), then moved into place.
 */
final class FileTransfer {

    private static final Logger LOG = LoggerFactory.getLogger(FileTransfer.class);
    private static final Pattern RANGE_START = Pattern.compile("bytes\\s+(\\d+)-");
    private static final Pattern RANGE_TOTAL = Pattern.compile("/\\s*(\\d+)\\s*$");
    private static final int BUFFER = 1 << 16;

    private final HubHttp http;
    private final DownloadListener listener;
    private final int maxRetries;

    FileTransfer(HubHttp http, DownloadListener listener, int maxRetries) {
        this.http = http;
        this.listener = listener;
        this.maxRetries = maxRetries;
    }

    /** Downloads into {@code incomplete} (resuming it), verifies, and moves it to {@code blob}. */
    void fetch(Target target, FileMetadata meta, Path blob, Path incomplete) throws IOException {
        Files.createDirectories(blob.getParent());
        long size = meta.size();
        Checksum checksum = Checksum.forEtag(meta.etag(), size);
        byte[] buffer = new byte[BUFFER];
        try (DownloadListener.Progress progress = listener.started(target.repoId(), target.path(), size,
                resumableBytes(incomplete, size))) {
            receive(target, meta, incomplete, checksum, buffer, progress);
        }
        verify(target, meta, incomplete, checksum, buffer);
        AtomicFiles.move(incomplete, blob);
    }

    /** The GET loop: resumes from what is on disk, retries dropped connections, restarts on 416. */
    private void receive(Target target, FileMetadata meta, Path incomplete, Checksum checksum, byte[] buffer,
            DownloadListener.Progress progress) throws IOException {
        long size = meta.size();
        long have = resumableBytes(incomplete, size);
        int failures = 0;
        while (true) {
            if (checksum != null) {
                rehash(checksum, incomplete, have, buffer);
            }
            if (size >= 0 && have == size && have > 0) {
                return; // a complete .incomplete left by an interrupted move
            }
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Accept-Encoding", "identity");
            if (have > 0) {
                headers.put("Range", "bytes=" + have + "-");
            }
            try {
                HttpResponse<InputStream> response = http.openStream(meta.location(), headers, target);
                try (InputStream in = response.body()) {
                    if (response.statusCode() == 416) {
                        have = 0; // our partial file does not fit the server's: start over
                        Files.deleteIfExists(incomplete);
                        if (++failures > maxRetries) {
                            throw new HubException(Kind.OTHER, target.repoId(), "the server refused to resume "
                                    + target.path() + " of " + target.what() + "; run again");
                        }
                        continue;
                    }
                    boolean resume = have > 0 && response.statusCode() == 206 && rangeStart(response) == have;
                    checkAnnouncedLength(target, meta, incomplete, response, resume ? have : 0);
                    if (!resume) {
                        have = 0;
                        if (checksum != null) {
                            checksum.reset();
                        }
                    }
                    have = copy(in, incomplete, resume, have, size, checksum, buffer, progress);
                }
                return;
            } catch (IOException | HubException e) {
                if (e instanceof HubException h && h.kind() != Kind.NETWORK) {
                    throw h;
                }
                have = Files.exists(incomplete) ? Files.size(incomplete) : 0;
                if (++failures > maxRetries) {
                    throw new HubException(Kind.NETWORK, target.repoId(), "the download of " + target.path()
                            + " of " + target.what() + " broke off at " + have + (size >= 0 ? " of " + size : "")
                            + " bytes (" + reason(e) + "): run again to resume it from " + incomplete, e);
                }
                LOG.info("download of {} broke off at {} bytes ({}); resuming", target.path(), have, reason(e));
                sleep(Math.min(2000, 200L * failures));
            }
        }
    }

    /**
     * The length the GET announces for the whole file (Content-Range's total, else Content-Length plus what is
     * resumed) against the metadata's size: a server that under- or over-reports one of them cannot be trusted with
     * the cache, whose blob would be cut short or padded for every later run, so the partial file is discarded.
     */
    private static void checkAnnouncedLength(Target target, FileMetadata meta, Path incomplete,
            HttpResponse<?> response, long resumedFrom) throws IOException {
        long announced = announcedLength(response, resumedFrom);
        if (meta.size() >= 0 && announced >= 0 && announced != meta.size()) {
            Files.deleteIfExists(incomplete);
            throw new HubException(Kind.CHECKSUM, target.repoId(), target.path() + " of " + target.what()
                    + ": the download announces " + announced + " bytes but the file's metadata says "
                    + meta.size() + " bytes; nothing was cached. Check any proxy or HF_ENDPOINT mirror, then run "
                    + "again");
        }
    }

    /** The whole file's length as the response tells it, or -1. */
    static long announcedLength(HttpResponse<?> response, long resumedFrom) {
        if (response.statusCode() == 206) {
            long total = response.headers().firstValue("Content-Range").map(v -> {
                Matcher m = RANGE_TOTAL.matcher(v);
                return m.find() ? Long.parseLong(m.group(1)) : -1L;
            }).orElse(-1L);
            if (total >= 0) {
                return total;
            }
        }
        long length = response.headers().firstValue("Content-Length").map(v -> {
            try {
                return Long.parseLong(v.strip());
            } catch (NumberFormatException e) {
                return -1L;
            }
        }).orElse(-1L);
        return length < 0 ? -1 : length + (response.statusCode() == 206 ? resumedFrom : 0);
    }

    private static long copy(InputStream in, Path incomplete, boolean append, long have, long size,
            Checksum checksum, byte[] buffer, DownloadListener.Progress progress) throws IOException {
        try (OutputStream out = Files.newOutputStream(incomplete, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                out.write(buffer, 0, n);
                if (checksum != null) {
                    checksum.update(buffer, 0, n);
                }
                have += n;
                progress.update(have);
                if (size >= 0 && have > size) {
                    break; // more than announced: the checks after the download reject it
                }
            }
        }
        return have;
    }

    /** Size first, then the checksum; a mismatch deletes the partial file. */
    private static void verify(Target target, FileMetadata meta, Path incomplete, Checksum checksum, byte[] buffer)
            throws IOException {
        long size = meta.size();
        long actual = Files.size(incomplete);
        if (size >= 0 && actual != size) {
            Files.deleteIfExists(incomplete);
            throw new HubException(Kind.CHECKSUM, target.repoId(), target.path() + " of " + target.what()
                    + " arrived with " + actual + " bytes instead of " + size + ": the partial file was discarded; "
                    + "run again to download it afresh");
        }
        if (checksum == null && size < 0) {
            checksum = Checksum.forEtag(meta.etag(), actual);
            if (checksum != null) {
                rehash(checksum, incomplete, actual, buffer);
            }
        }
        if (checksum == null) {
            LOG.debug("etag {} of {} is not a checksum; only the size was verified", meta.etag(), target.path());
            return;
        }
        String digest = checksum.actual();
        if (!digest.equals(checksum.expected())) {
            Files.deleteIfExists(incomplete);
            throw new HubException(Kind.CHECKSUM, target.repoId(), target.path() + " of " + target.what()
                    + " arrived corrupted (" + checksum.kind() + " " + digest + ", the Hub says "
                    + checksum.expected() + "): it was discarded; run again, and check any proxy or HF_ENDPOINT "
                    + "mirror if it happens again");
        }
    }

    /** The bytes of an earlier partial download worth resuming from (0 when it is longer than the file). */
    private static long resumableBytes(Path incomplete, long size) throws IOException {
        long have = Files.exists(incomplete) ? Files.size(incomplete) : 0;
        return size >= 0 && have > size ? 0 : have;
    }

    private static void rehash(Checksum checksum, Path file, long length, byte[] buffer) throws IOException {
        checksum.reset();
        if (length <= 0) {
            return;
        }
        try (InputStream in = Files.newInputStream(file)) {
            long left = length;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    break;
                }
                checksum.update(buffer, 0, n);
                left -= n;
            }
        }
    }

    private static long rangeStart(HttpResponse<?> response) {
        return response.headers().firstValue("Content-Range").map(v -> {
            Matcher m = RANGE_START.matcher(v);
            return m.find() ? Long.parseLong(m.group(1)) : -1L;
        }).orElse(-1L);
    }

    private static String reason(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException(Kind.OTHER, null, "interrupted", e);
        }
    }
}
