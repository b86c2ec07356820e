package dev.dpo4j.hub.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.dpo4j.hub.HubException;
import dev.dpo4j.hub.HubException.Kind;
import dev.dpo4j.hub.internal.UploadHttp.About;
import java.net.URI;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Hub's {@code POST /api/models/{id}/preupload/{revision}} ({@code _fetch_upload_modes}): for each file, by its
 * size and first 512 bytes, whether it goes through LFS or inline in the commit, whether the repository's
 * {@code .gitignore} ignores it, and the oid the repository has at that path now; 256 files a request.
 */
final class Preupload {

    /** The Hub's answer for one file. */
    record Mode(boolean lfs, boolean ignored, String remoteOid) {
    }

    private static final int CHUNK = 256;

    private Preupload() {
    }

    static Map<String, Mode> modes(UploadHttp http, String repoId, String revision, List<LocalBlob> blobs) {
        URI uri = URI.create(http.options().endpoint() + "/api/models/" + repoId + "/preupload/"
                + HubApi.encode(revision, false));
        About about = new About(repoId, null, "asking how to upload the files (preupload)");
        Map<String, Mode> modes = new HashMap<>();
        for (int from = 0; from < blobs.size(); from += CHUNK) {
            JsonArray files = new JsonArray();
            for (LocalBlob blob : blobs.subList(from, Math.min(blobs.size(), from + CHUNK))) {
                JsonObject file = new JsonObject();
                file.addProperty("path", blob.path());
                file.addProperty("sample", Base64.getEncoder().encodeToString(blob.sample()));
                file.addProperty("size", blob.size());
                files.add(file);
            }
            JsonObject payload = new JsonObject();
            payload.add("files", files);
            JsonObject answer = http.postJson(uri, payload, Map.of(), about);
            if (!answer.has("files") || !answer.get("files").isJsonArray()) {
                throw malformed(http, repoId, "no files list");
            }
            for (JsonElement e : answer.getAsJsonArray("files")) {
                JsonObject f = e.isJsonObject() ? e.getAsJsonObject() : new JsonObject();
                String path = HubApi.string(f, "path");
                String mode = HubApi.string(f, "uploadMode");
                if (path == null || !("lfs".equals(mode) || "regular".equals(mode))) {
                    throw malformed(http, repoId, "a file without path or uploadMode lfs|regular: " + f);
                }
                modes.put(path, new Mode("lfs".equals(mode), f.has("shouldIgnore")
                        && f.get("shouldIgnore").isJsonPrimitive() && f.get("shouldIgnore").getAsBoolean(),
                        HubApi.string(f, "oid")));
            }
        }
        for (LocalBlob blob : blobs) {
            if (!modes.containsKey(blob.path())) {
                throw malformed(http, repoId, "no upload mode for '" + blob.path() + "'");
            }
            if (blob.size() == 0) {
                // empty files cannot go through LFS (S3 answers 501): regular, as huggingface_hub does
                Mode m = modes.get(blob.path());
                modes.put(blob.path(), new Mode(false, m.ignored(), m.remoteOid()));
            }
        }
        return modes;
    }

    private static HubException malformed(UploadHttp http, String repoId, String what) {
        return new HubException(Kind.OTHER, repoId, http.options().endpoint() + " answered the preupload of "
                + repoId + " with " + what + ": check HF_ENDPOINT");
    }
}
