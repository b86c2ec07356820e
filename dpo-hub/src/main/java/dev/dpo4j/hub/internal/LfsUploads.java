package dev.dpo4j.hub.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.dpo4j.hub.HubException;
import dev.dpo4j.hub.HubException.Kind;
import dev.dpo4j.hub.internal.UploadHttp.About;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bytes of large files, through the Git LFS batch API as {@code huggingface_hub}'s {@code lfs.py} speaks it:
 * {@code POST {repo}.git/info/lfs/objects/batch} with each file's sha256 and size; an object without actions is
 * already stored (not uploaded again: a push that died part-way resumes here); otherwise a {@code basic} PUT of the
 * whole file or, when the action's header carries a {@code chunk_size}, a multipart upload ({@link LfsMultipart}),
 * then the {@code verify} action when given. Files are streamed from disk, never held in memory. Storage URLs get the
 * action's headers only, never the token.
 */
final class LfsUploads {

    static final Map<String, String> LFS_HEADERS = Map.of("Accept", "application/vnd.git-lfs+json",
            "Content-Type", "application/vnd.git-lfs+json");
    private static final int CHUNK = 256;

    /** How many objects were uploaded, and how many the Hub already had. */
    record Counts(int uploaded, int present) {
    }

    private LfsUploads() {
    }

    static Counts upload(UploadHttp http, String repoId, String revision, List<LocalBlob> blobs) {
        Map<String, LocalBlob> byOid = new LinkedHashMap<>();
        blobs.forEach(b -> byOid.putIfAbsent(b.sha256(), b));
        List<LocalBlob> unique = List.copyOf(byOid.values());
        int uploaded = 0;
        int present = 0;
        for (int from = 0; from < unique.size(); from += CHUNK) {
            for (JsonElement e : batch(http, repoId, revision, unique.subList(from, Math.min(unique.size(),
                    from + CHUNK)))) {
                JsonObject object = e.getAsJsonObject();
                LocalBlob blob = byOid.get(HubApi.string(object, "oid"));
                if (blob == null) {
                    throw malformed(http, repoId, "an object it was not asked about: " + object);
                }
                if (object.has("error")) {
                    throw objectError(http, repoId, blob, object.get("error"));
                }
                JsonObject actions = object.has("actions") && object.get("actions").isJsonObject()
                        ? object.getAsJsonObject("actions") : null;
                if (actions == null || !actions.has("upload")) {
                    present++;
                    continue;
                }
                transfer(http, repoId, blob, action(http, repoId, actions, "upload"));
                if (actions.has("verify")) {
                    verify(http, repoId, blob, action(http, repoId, actions, "verify"));
                }
                uploaded++;
            }
        }
        return new Counts(uploaded, present);
    }

    private static JsonArray batch(UploadHttp http, String repoId, String revision, List<LocalBlob> blobs) {
        JsonObject payload = new JsonObject();
        payload.addProperty("operation", "upload");
        JsonArray transfers = new JsonArray();
        transfers.add("basic");
        transfers.add("multipart");
        payload.add("transfers", transfers);
        JsonArray objects = new JsonArray();
        for (LocalBlob blob : blobs) {
            JsonObject o = new JsonObject();
            o.addProperty("oid", blob.sha256());
            o.addProperty("size", blob.size());
            objects.add(o);
        }
        payload.add("objects", objects);
        payload.addProperty("hash_algo", "sha256");
        JsonObject ref = new JsonObject();
        ref.addProperty("name", revision);
        payload.add("ref", ref);
        URI uri = URI.create(http.options().endpoint() + "/" + repoId + ".git/info/lfs/objects/batch");
        JsonObject answer = http.postJson(uri, payload, LFS_HEADERS, new About(repoId, null,
                "asking where to upload the large files (LFS batch)"));
        if (!answer.has("objects") || !answer.get("objects").isJsonArray()) {
            throw malformed(http, repoId, "no objects list");
        }
        for (JsonElement e : answer.getAsJsonArray("objects")) {
            if (!e.isJsonObject()) {
                throw malformed(http, repoId, "an object that is not a JSON object: " + e);
            }
        }
        return answer.getAsJsonArray("objects");
    }

    /** An upload or verify action: its {@code href} and its {@code header} entries. */
    record Action(URI href, Map<String, String> header) {
    }

    private static Action action(UploadHttp http, String repoId, JsonObject actions, String name) {
        JsonElement a = actions.get(name);
        String href = a.isJsonObject() ? HubApi.string(a.getAsJsonObject(), "href") : null;
        if (href == null) {
            throw malformed(http, repoId, "a " + name + " action without href");
        }
        Map<String, String> header = new LinkedHashMap<>();
        JsonElement h = a.getAsJsonObject().get("header");
        if (h != null && h.isJsonObject()) {
            h.getAsJsonObject().entrySet().forEach(entry -> header.put(entry.getKey(),
                    entry.getValue().isJsonPrimitive() ? entry.getValue().getAsString() : entry.getValue().toString()));
        }
        return new Action(URI.create(href), header);
    }

    private static void transfer(UploadHttp http, String repoId, LocalBlob blob, Action upload) {
        if (upload.header().containsKey("chunk_size")) {
            LfsMultipart.upload(http, repoId, blob, upload);
            return;
        }
        http.send("PUT", upload.href(), upload.header(), () -> {
            try {
                return HttpRequest.BodyPublishers.ofFile(blob.file().file());
            } catch (java.io.FileNotFoundException e) {
                throw new java.io.UncheckedIOException("cannot read " + blob.file().file() + ": " + e.getMessage(),
                        e);
            }
        }, false, false, new About(repoId, blob.path(), "uploading"));
    }

    private static void verify(UploadHttp http, String repoId, LocalBlob blob, Action verify) {
        JsonObject payload = new JsonObject();
        payload.addProperty("oid", blob.sha256());
        payload.addProperty("size", blob.size());
        http.postJson(verify.href(), payload, UploadHttp.merge(verify.header(), LFS_HEADERS),
                new About(repoId, blob.path(), "verifying the upload of"));
    }

    private static HubException objectError(UploadHttp http, String repoId, LocalBlob blob, JsonElement error) {
        String message = error.isJsonObject() ? HubApi.string(error.getAsJsonObject(), "message") : null;
        String code = error.isJsonObject() ? HubApi.string(error.getAsJsonObject(), "code") : null;
        return new HubException(Kind.OTHER, repoId, http.hide("cannot push to " + repoId + ": the Hub refused the "
                + "upload of '" + blob.path() + "' (" + (code == null ? "" : "code " + code + ": ")
                + (message == null ? error.toString() : message) + ")"));
    }

    static HubException malformed(UploadHttp http, String repoId, String what) {
        return new HubException(Kind.OTHER, repoId, http.options().endpoint() + " answered the LFS upload for "
                + repoId + " with " + what + ": check HF_ENDPOINT");
    }
}
