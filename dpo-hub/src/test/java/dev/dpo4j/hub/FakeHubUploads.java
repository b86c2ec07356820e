package dev.dpo4j.hub;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

/**
 * The Hub's upload side on loopback, for {@link FakeHub}: {@code POST /api/repos/create}, {@code GET /api/models/{id}},
 * {@code /api/models/{id}/preupload/main}, the LFS batch and verify endpoints under {@code /{id}.git/info/lfs/},
 * {@code /api/models/{id}/commit/main} (NDJSON), and an LFS storage server on another host name ({@code localhost}
 * where the Hub is {@code 127.0.0.1}) taking basic and multipart PUTs. Commits land in the repository, so pushed
 * files can be downloaded again. Faults: a status for the next N requests whose path contains a string.
 */
public final class FakeHubUploads {

    private final FakeHub hub;
    final HttpServer storage;
    /** LFS objects stored, by sha256. */
    final Map<String, byte[]> objects = new ConcurrentHashMap<>();
    final Map<String, Boolean> privateRepos = new ConcurrentHashMap<>();
    /** The NDJSON lines of each commit received. */
    final List<List<String>> commitBodies = Collections.synchronizedList(new ArrayList<>());
    final List<String> commitContentTypes = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, byte[][]> parts = new ConcurrentHashMap<>();
    /** Part size of multipart uploads; 0: basic transfers. */
    volatile int multipartChunk;
    /** Whether batch answers ask for a verify call. */
    volatile boolean verify = true;
    /** The token that may write; anything else gets 401 (null: every caller may write). */
    volatile String writeToken = "hf_test_token";
    /** The next request whose path contains this is redirected through the storage host and back. */
    volatile String bounce;
    private volatile String faultPath;
    private volatile int faultStatus;
    private volatile int faults;

    FakeHubUploads(FakeHub hub, ExecutorService executor) throws IOException {
        this.hub = hub;
        storage = HttpServer.create(new InetSocketAddress(InetAddress.getByName("localhost"), 0), 0);
        storage.createContext("/", this::handleStorage);
        storage.setExecutor(executor);
        storage.start();
    }

    /** The next {@code count} requests whose path contains {@code pathPart} get {@code status}. */
    public void fail(String pathPart, int status, int count) {
        faultPath = pathPart;
        faultStatus = status;
        faults = count;
    }

    /** Only this token may write (null: any caller). */
    public void writeToken(String token) {
        writeToken = token;
    }

    /** The summary line of each commit received, in order. */
    public List<String> commitSummaries() {
        synchronized (commitBodies) {
            return commitBodies.stream().map(lines -> JsonParser.parseString(lines.get(0)).getAsJsonObject()
                    .getAsJsonObject("value").get("summary").getAsString()).toList();
        }
    }

    public Map<String, byte[]> objects() {
        return objects;
    }

    public List<List<String>> commitBodies() {
        return commitBodies;
    }

    public Boolean isPrivate(String repoId) {
        return privateRepos.get(repoId);
    }

    private boolean injectFault(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        if (bounce != null && path.contains(bounce)) {
            bounce = null;
            ex.getRequestBody().readAllBytes();
            ex.getResponseHeaders().add("Location", storageEndpoint() + "/mirror?to=" + path);
            send(ex, 307, new JsonObject());
            return true;
        }
        if (faults > 0 && faultPath != null && path.contains(faultPath)) {
            faults--;
            ex.getRequestBody().readAllBytes(); // a server answers after reading the request
            send(ex, faultStatus, json("error", "injected fault"));
            return true;
        }
        return false;
    }

    /** Handles an upload request of the Hub; false when the request is no upload request. */
    boolean handle(HttpExchange ex, String raw) throws IOException {
        String method = ex.getRequestMethod();
        boolean api = raw.equals("/api/repos/create") || raw.contains("/preupload/") || raw.contains("/commit/")
                || raw.contains(".git/info/lfs/") || (method.equals("GET") && raw.startsWith("/api/models/")
                && !raw.contains("/revision/") && !raw.contains("/tree/"));
        if (!api) {
            return false;
        }
        if (injectFault(ex)) {
            return true;
        }
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (writeToken != null && !("Bearer " + writeToken).equals(auth)) {
            ex.getRequestBody().readAllBytes();
            ex.getResponseHeaders().add("X-Error-Message", "Invalid credentials in Authorization header");
            send(ex, 401, json("error", "Invalid username or password."));
            return true;
        }
        if (raw.equals("/api/repos/create")) {
            create(ex);
        } else if (method.equals("GET")) {
            String id = raw.substring("/api/models/".length());
            send(ex, hub.repoExists("models/" + id) ? 200 : 404, json("id", id));
        } else if (raw.contains("/preupload/")) {
            preupload(ex, repo(raw, "/api/models/", "/preupload/"));
        } else if (raw.endsWith(".git/info/lfs/objects/batch")) {
            batch(ex, raw.substring(1, raw.indexOf(".git/info/lfs/")));
        } else if (raw.endsWith(".git/info/lfs/objects/verify")) {
            JsonObject body = body(ex);
            send(ex, objects.containsKey(body.get("oid").getAsString()) ? 200 : 404, json("ok", "true"));
        } else {
            commit(ex, repo(raw, "/api/models/", "/commit/"));
        }
        return true;
    }

    private static String repo(String raw, String prefix, String marker) {
        return raw.substring(prefix.length(), raw.indexOf(marker));
    }

    private void create(HttpExchange ex) throws IOException {
        JsonObject body = body(ex);
        String org = body.get("organization").isJsonNull() ? null : body.get("organization").getAsString();
        // a bare name goes to the token's account, here "me"
        String id = (org == null ? "me" : org) + "/" + body.get("name").getAsString();
        if (hub.repoExists("models/" + id)) {
            JsonObject conflict = json("error", "You already created this model repo");
            conflict.addProperty("url", hub.endpoint() + "/" + id);
            send(ex, 409, conflict);
            return;
        }
        hub.model(id);
        privateRepos.put(id, body.has("visibility") && body.get("visibility").getAsString().equals("private"));
        send(ex, 200, json("url", hub.endpoint() + "/" + id));
    }

    private Map<String, byte[]> current(String id) {
        FakeHub.Repo repo = hub.model(id);
        String sha = repo.refs.get("main");
        return sha == null ? Map.of() : repo.commits.get(sha);
    }

    private void preupload(HttpExchange ex, String id) throws IOException {
        Map<String, byte[]> files = current(id);
        JsonArray answer = new JsonArray();
        for (JsonElement e : body(ex).getAsJsonArray("files")) {
            String path = e.getAsJsonObject().get("path").getAsString();
            JsonObject f = new JsonObject();
            f.addProperty("path", path);
            boolean lfs = FakeHub.isLfs(path);
            f.addProperty("uploadMode", lfs ? "lfs" : "regular");
            f.addProperty("shouldIgnore", false);
            byte[] data = files.get(path);
            if (data != null) {
                f.addProperty("oid", lfs ? FakeHub.sha256Hex(data) : FakeHub.gitBlobSha1(data));
            }
            answer.add(f);
        }
        JsonObject out = new JsonObject();
        out.add("files", answer);
        send(ex, 200, out);
    }

    private void batch(HttpExchange ex, String id) throws IOException {
        JsonObject body = body(ex);
        String base = "http://localhost:" + storage.getAddress().getPort();
        JsonArray out = new JsonArray();
        for (JsonElement e : body.getAsJsonArray("objects")) {
            String oid = e.getAsJsonObject().get("oid").getAsString();
            long size = e.getAsJsonObject().get("size").getAsLong();
            JsonObject o = new JsonObject();
            o.addProperty("oid", oid);
            o.addProperty("size", size);
            if (!objects.containsKey(oid)) {
                JsonObject upload = new JsonObject();
                JsonObject header = new JsonObject();
                int chunk = multipartChunk;
                if (chunk > 0) {
                    header.addProperty("chunk_size", String.valueOf(chunk));
                    for (int i = 1; i <= (size + chunk - 1) / chunk; i++) {
                        header.addProperty(String.valueOf(i), base + "/part/" + oid + "/" + i + "?X-Amz-Signature=s");
                    }
                    upload.addProperty("href", base + "/complete/" + oid + "?uploadId=u");
                    parts.put(oid, new byte[(int) ((size + chunk - 1) / chunk)][]);
                } else {
                    upload.addProperty("href", base + "/upload/" + oid + "?X-Amz-Signature=s");
                }
                upload.add("header", header);
                JsonObject actions = new JsonObject();
                actions.add("upload", upload);
                if (verify) {
                    JsonObject v = new JsonObject();
                    v.addProperty("href", hub.endpoint() + "/" + id + ".git/info/lfs/objects/verify");
                    actions.add("verify", v);
                }
                o.add("actions", actions);
            }
            out.add(o);
        }
        JsonObject answer = new JsonObject();
        answer.addProperty("transfer", multipartChunk > 0 ? "multipart" : "basic");
        answer.add("objects", out);
        send(ex, 200, answer);
    }

    private void commit(HttpExchange ex, String id) throws IOException {
        commitContentTypes.add(ex.getRequestHeaders().getFirst("Content-Type"));
        List<String> lines = List.of(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)
                .split("\n"));
        commitBodies.add(lines);
        Map<String, byte[]> files = new TreeMap<>(current(id));
        for (String line : lines) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            JsonObject value = o.getAsJsonObject("value");
            switch (o.get("key").getAsString()) {
                case "file" -> files.put(value.get("path").getAsString(),
                        Base64.getDecoder().decode(value.get("content").getAsString()));
                case "lfsFile" -> {
                    byte[] data = objects.get(value.get("oid").getAsString());
                    if (data == null || data.length != value.get("size").getAsLong()) {
                        send(ex, 400, json("error", "LFS object not found for " + value.get("path")));
                        return;
                    }
                    files.put(value.get("path").getAsString(), data);
                }
                default -> { }
            }
        }
        String sha = hub.model(id).commit("main", files);
        JsonObject answer = json("commitOid", sha);
        answer.addProperty("commitUrl", hub.endpoint() + "/" + id + "/commit/" + sha);
        send(ex, 200, answer);
    }

    private void handleStorage(HttpExchange ex) throws IOException {
        try (ex) {
            String raw = ex.getRequestURI().getRawPath();
            hub.requests.add(new FakeHub.Request("lfs", ex.getRequestMethod(), raw, null,
                    ex.getRequestHeaders().getFirst("Authorization")));
            if (injectFault(ex)) {
                return;
            }
            byte[] data = ex.getRequestBody().readAllBytes();
            if (raw.equals("/mirror")) {
                ex.getResponseHeaders().add("Location", hub.endpoint() + ex.getRequestURI().getRawQuery()
                        .substring("to=".length()));
                send(ex, 307, new JsonObject());
                return;
            }
            String[] p = raw.split("/");
            if (raw.startsWith("/upload/")) {
                store(p[2], data);
                send(ex, 200, new JsonObject());
            } else if (raw.startsWith("/part/")) {
                parts.get(p[2])[Integer.parseInt(p[3]) - 1] = data;
                ex.getResponseHeaders().add("ETag", "\"etag-" + p[3] + "\"");
                send(ex, 200, new JsonObject());
            } else {
                JsonObject body = JsonParser.parseString(new String(data, StandardCharsets.UTF_8)).getAsJsonObject();
                java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
                byte[][] received = parts.get(p[2]);
                for (int i = 0; i < received.length; i++) {
                    String etag = body.getAsJsonArray("parts").get(i).getAsJsonObject().get("etag").getAsString();
                    if (received[i] == null || !etag.equals("\"etag-" + (i + 1) + "\"")) {
                        send(ex, 400, json("error", "part " + (i + 1) + " missing"));
                        return;
                    }
                    all.write(received[i]);
                }
                store(p[2], all.toByteArray());
                send(ex, 200, new JsonObject());
            }
        }
    }

    private void store(String oid, byte[] data) {
        if (FakeHub.sha256Hex(data).equals(oid)) {
            objects.put(oid, data);
        }
    }

    private static JsonObject body(HttpExchange ex) throws IOException {
        return JsonParser.parseString(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8))
                .getAsJsonObject();
    }

    private static JsonObject json(String key, String value) {
        JsonObject o = new JsonObject();
        o.addProperty(key, value);
        return o;
    }

    private static void send(HttpExchange ex, int status, JsonObject body) throws IOException {
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    URI storageEndpoint() {
        return URI.create("http://localhost:" + storage.getAddress().getPort());
    }
}
