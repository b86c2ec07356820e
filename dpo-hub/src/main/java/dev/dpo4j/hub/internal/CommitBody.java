package dev.dpo4j.hub.internal;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

/**
 * The NDJSON body of {@code POST /api/models/{id}/commit/{revision}} ({@code _prepare_commit_payload}): a
 * {@code header} line (summary, description), then one line per file: {@code file} with the content in base64 for
 * regular files, {@code lfsFile} with the sha256 oid and size for large ones. Written to a temporary file, each
 * regular file base64-encoded as it is read, so memory stays bounded and a retry sends the same bytes.
 */
final class CommitBody {

    private CommitBody() {
    }

    /** Writes the body into a new temporary file and returns it; the caller deletes it. */
    static Path write(String summary, String description, List<LocalBlob> regular, List<LocalBlob> lfs)
            throws IOException {
        Path body = Files.createTempFile("dpo4j-commit-", ".ndjson");
        try (OutputStream out = Files.newOutputStream(body)) {
            JsonObject header = new JsonObject();
            header.addProperty("summary", summary);
            header.addProperty("description", description);
            line(out, "header", header);
            for (LocalBlob blob : regular) {
                // {"key":"file","value":{"content":"<base64>","path":...,"encoding":"base64"}}, streamed
                out.write("{\"key\":\"file\",\"value\":{\"content\":\"".getBytes(StandardCharsets.UTF_8));
                try (InputStream in = Files.newInputStream(blob.file().file());
                        OutputStream base64 = Base64.getEncoder().wrap(new Unclosed(out))) {
                    in.transferTo(base64);
                }
                JsonObject rest = new JsonObject();
                rest.addProperty("path", blob.path());
                rest.addProperty("encoding", "base64");
                String tail = rest.toString();
                out.write(("\"," + tail.substring(1) + "}\n").getBytes(StandardCharsets.UTF_8));
            }
            for (LocalBlob blob : lfs) {
                JsonObject value = new JsonObject();
                value.addProperty("path", blob.path());
                value.addProperty("algo", "sha256");
                value.addProperty("oid", blob.sha256());
                value.addProperty("size", blob.size());
                line(out, "lfsFile", value);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(body);
            throw e;
        }
        return body;
    }

    private static void line(OutputStream out, String key, JsonObject value) throws IOException {
        JsonObject line = new JsonObject();
        line.addProperty("key", key);
        line.add("value", value);
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** The stream, with close() only flushing, so the base64 encoder's close pads without closing the body. */
    private static final class Unclosed extends java.io.FilterOutputStream {
        Unclosed(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
