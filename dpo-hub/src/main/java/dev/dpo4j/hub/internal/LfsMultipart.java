package dev.dpo4j.hub.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.dpo4j.hub.internal.LfsUploads.Action;
import dev.dpo4j.hub.internal.UploadHttp.About;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Hub's multipart LFS transfer ({@code _upload_multi_part}): the upload action's header holds
 * {@code chunk_size} and one presigned URL per part under its number; each part, a slice of the file read from
 * disk, is PUT to its URL, and the parts' ETags are POSTed to the action's href to complete the object.
 */
final class LfsMultipart {

    private LfsMultipart() {
    }

    static void upload(UploadHttp http, String repoId, LocalBlob blob, Action upload) {
        long chunkSize;
        try {
            chunkSize = Long.parseLong(upload.header().get("chunk_size"));
        } catch (NumberFormatException e) {
            throw LfsUploads.malformed(http, repoId, "a chunk_size that is no integer: " + upload.header());
        }
        TreeMap<Integer, URI> parts = new TreeMap<>();
        upload.header().forEach((key, value) -> {
            if (!key.isEmpty() && key.chars().allMatch(Character::isDigit)) {
                parts.put(Integer.parseInt(key), URI.create(value));
            }
        });
        if (chunkSize <= 0 || parts.size() != (blob.size() + chunkSize - 1) / chunkSize) {
            throw LfsUploads.malformed(http, repoId, parts.size() + " part URLs of chunk_size " + chunkSize + " for '"
                    + blob.path() + "' of " + blob.size() + " bytes");
        }
        JsonArray etags = new JsonArray();
        int index = 0;
        for (Map.Entry<Integer, URI> part : parts.entrySet()) {
            int number = index + 1;
            long offset = index * chunkSize;
            long length = Math.min(chunkSize, blob.size() - offset);
            HttpResponse<byte[]> response = http.send("PUT", part.getValue(), Map.of(), () -> slice(blob, offset,
                    length), false, false, new About(repoId, blob.path(), "uploading part " + number + " of"));
            String etag = response.headers().firstValue("ETag").orElse("");
            if (etag.isEmpty()) {
                throw LfsUploads.malformed(http, repoId, "no ETag for part " + number + " of '" + blob.path() + "'");
            }
            JsonObject p = new JsonObject();
            p.addProperty("partNumber", number);
            p.addProperty("etag", etag);
            etags.add(p);
            index++;
        }
        JsonObject completion = new JsonObject();
        completion.addProperty("oid", blob.sha256());
        completion.add("parts", etags);
        byte[] body = completion.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        http.send("POST", upload.href(), LfsUploads.LFS_HEADERS, () -> HttpRequest.BodyPublishers.ofByteArray(body),
                false, true, new About(repoId, blob.path(), "completing the multipart upload of"));
    }

    /** The bytes {@code [offset, offset + length)} of the file, streamed, with their length declared. */
    private static HttpRequest.BodyPublisher slice(LocalBlob blob, long offset, long length) {
        return HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> {
            try {
                FileChannel channel = FileChannel.open(blob.file().file(), StandardOpenOption.READ);
                channel.position(offset);
                return new Limited(Channels.newInputStream(channel), length);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + blob.file().file() + ": " + e.getMessage(), e);
            }
        }), length);
    }

    /** At most {@code remaining} bytes of a stream. */
    private static final class Limited extends FilterInputStream {
        private long remaining;

        Limited(InputStream in, long limit) {
            super(in);
            this.remaining = limit;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = super.read();
            remaining -= b >= 0 ? 1 : 0;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = super.read(b, off, (int) Math.min(len, remaining));
            remaining -= Math.max(0, n);
            return n;
        }
    }
}
