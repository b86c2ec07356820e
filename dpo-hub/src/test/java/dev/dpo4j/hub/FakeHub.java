package dev.dpo4j.hub;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Hub's URL layout on loopback: {@code /api/{models|datasets}/{id}/revision/{rev}} (sha, siblings),
 * {@code /api/datasets/{id}/tree/{rev}?recursive=true} (paged with a Link header), and
 * {@code /[datasets/]{id}/resolve/{rev}/{path}} with X-Repo-Commit, ETag, and for LFS files a 302 to a second
 * server (the "CDN", another port) with X-Linked-Etag and X-Linked-Size. Error answers carry X-Error-Code as the Hub
 * sends them. Faults can be injected on the CDN: drop the connection after N bytes, corrupt a byte, go slowly.
 */
public final class FakeHub implements AutoCloseable {

    /** One request as the servers saw it. */
    public record Request(String server, String method, String path, String range, String authorization) {
        @Override
        public String toString() {
            return server + " " + method + " " + path + (range == null ? "" : " Range:" + range)
                    + (authorization == null ? "" : " (auth)");
        }
    }

    /** A repository: branches to commits, commits to files. */
    public static final class Repo {
        final String key;
        final Map<String, String> refs = new ConcurrentHashMap<>();
        final Map<String, Map<String, byte[]>> commits = new ConcurrentHashMap<>();
        volatile boolean gated;

        Repo(String key) {
            this.key = key;
        }

        /** Adds a commit with these files on the branch; returns its hash. */
        public String commit(String branch, Map<String, byte[]> files) {
            String sha = sha1Hex((key + branch + commits.size() + files.keySet()).getBytes(StandardCharsets.UTF_8));
            commits.put(sha, new TreeMap<>(files));
            refs.put(branch, sha);
            return sha;
        }
    }

    final HttpServer hub;
    final ServerSocket cdn;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    /** The upload endpoints and the LFS storage server. */
    public final FakeHubUploads uploads;
    volatile String acceptedToken = "hf_test_token";
    volatile int treePageSize = 2;
    /** The CDN drops the connection after this many body bytes, for the next {@link #drops} GETs. */
    volatile int dropAfterBytes = -1;
    final AtomicInteger drops = new AtomicInteger();
    volatile boolean corrupt;
    volatile int slowMillisPer8k;
    /** The Hub's X-Linked-Size of LFS files is this many bytes short of the truth. */
    volatile int underReportBy;
    /** The Hub's X-Linked-Etag of LFS files is no checksum (an S3 multipart etag, {@code "md5-N"}). */
    volatile boolean opaqueEtag;

    public FakeHub() throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        hub = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
        cdn = new ServerSocket(0, 50, loopback);
        hub.createContext("/", this::handleHub);
        hub.setExecutor(executor);
        hub.start();
        executor.submit(this::acceptCdn);
        uploads = new FakeHubUploads(this, executor);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + hub.getAddress().getPort());
    }

    public Repo model(String id) {
        return repos.computeIfAbsent("models/" + id, Repo::new);
    }

    public Repo dataset(String id) {
        return repos.computeIfAbsent("datasets/" + id, Repo::new);
    }

    boolean repoExists(String key) {
        return repos.containsKey(key);
    }

    /** The files on a model repository's main branch now (empty when it has no commit). */
    public Map<String, byte[]> mainFiles(String id) {
        Repo repo = repos.get("models/" + id);
        String sha = repo == null ? null : repo.refs.get("main");
        return sha == null ? Map.of() : repo.commits.get(sha);
    }

    public List<Request> requests(String server) {
        synchronized (requests) {
            return requests.stream().filter(r -> r.server().equals(server)).toList();
        }
    }

    void clearRequests() {
        requests.clear();
    }

    static boolean isLfs(String path) {
        return path.endsWith(".safetensors") || path.endsWith(".parquet") || path.endsWith(".bin");
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static String sha256Hex(byte[] data) {
        return digest("SHA-256", data);
    }

    static String gitBlobSha1(byte[] data) {
        byte[] header = ("blob " + data.length + "\0").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[header.length + data.length];
        System.arraycopy(header, 0, all, 0, header.length);
        System.arraycopy(data, 0, all, header.length, data.length);
        return sha1Hex(all);
    }

    static String etagOf(String path, byte[] data) {
        return isLfs(path) ? sha256Hex(data) : gitBlobSha1(data);
    }

    private static String sha1Hex(byte[] data) {
        return digest("SHA-1", data);
    }

    private static String digest(String algorithm, byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ hub

    private void handleHub(HttpExchange ex) throws IOException {
        try (ex) {
            String raw = ex.getRequestURI().getRawPath();
            record(ex, "hub");
            if (uploads.handle(ex, raw)) {
                return;
            }
            if (raw.startsWith("/api/")) {
                handleApi(ex, raw.substring("/api/".length()));
            } else {
                handleResolve(ex, raw.substring(1));
            }
        }
    }

    private void handleApi(HttpExchange ex, String rest) throws IOException {
        String kind = rest.startsWith("datasets/") ? "datasets" : "models";
        rest = rest.substring(kind.length() + 1);
        boolean tree = rest.contains("/tree/");
        int at = tree ? rest.indexOf("/tree/") : rest.indexOf("/revision/");
        if (at < 0) {
            send(ex, 404, "text/plain", new byte[0]);
            return;
        }
        String id = rest.substring(0, at);
        String revRaw = rest.substring(at + (tree ? "/tree/" : "/revision/").length());
        String rev = URLDecoder.decode(revRaw, StandardCharsets.UTF_8);
        Repo repo = repos.get(kind + "/" + id);
        if (repo == null) {
            error(ex, 401, "RepoNotFound", "Repository not found");
            return;
        }
        String sha = resolveRev(repo, rev);
        if (sha == null) {
            error(ex, 404, "RevisionNotFound", "Invalid rev id: " + rev);
            return;
        }
        Map<String, byte[]> files = repo.commits.get(sha);
        if (!tree) {
            JsonObject info = new JsonObject();
            info.addProperty("id", id);
            info.addProperty("sha", sha);
            info.addProperty("gated", repo.gated ? "auto" : "false");
            JsonArray siblings = new JsonArray();
            files.keySet().forEach(p -> {
                JsonObject s = new JsonObject();
                s.addProperty("rfilename", p);
                siblings.add(s);
            });
            info.add("siblings", siblings);
            send(ex, 200, "application/json", info.toString().getBytes(StandardCharsets.UTF_8));
            return;
        }
        List<JsonObject> entries = new ArrayList<>();
        Set<String> dirs = new java.util.TreeSet<>();
        files.forEach((path, data) -> {
            for (int i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
                dirs.add(path.substring(0, i));
            }
            JsonObject e = new JsonObject();
            e.addProperty("type", "file");
            e.addProperty("path", path);
            e.addProperty("size", isLfs(path) ? 134 : data.length);
            e.addProperty("oid", isLfs(path) ? gitBlobSha1(("pointer " + path).getBytes(StandardCharsets.UTF_8))
                    : gitBlobSha1(data));
            if (isLfs(path)) {
                JsonObject lfs = new JsonObject();
                lfs.addProperty("oid", sha256Hex(data));
                lfs.addProperty("size", data.length);
                lfs.addProperty("pointerSize", 134);
                e.add("lfs", lfs);
            }
            entries.add(e);
        });
        for (String dir : dirs) {
            JsonObject e = new JsonObject();
            e.addProperty("type", "directory");
            e.addProperty("path", dir);
            e.addProperty("oid", gitBlobSha1(dir.getBytes(StandardCharsets.UTF_8)));
            e.addProperty("size", 0);
            entries.add(e);
        }
        String query = ex.getRequestURI().getRawQuery();
        int cursor = 0;
        if (query != null && query.contains("cursor=")) {
            cursor = Integer.parseInt(query.replaceAll(".*cursor=(\\d+).*", "$1"));
        }
        int end = Math.min(entries.size(), cursor + treePageSize);
        JsonArray page = new JsonArray();
        entries.subList(cursor, end).forEach(page::add);
        if (end < entries.size()) {
            ex.getResponseHeaders().add("Link", "<" + endpoint() + "/api/" + kind + "/" + id + "/tree/" + revRaw
                    + "?recursive=true&expand=false&cursor=" + end + ">; rel=\"next\"");
        }
        send(ex, 200, "application/json", page.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void handleResolve(HttpExchange ex, String rest) throws IOException {
        String kind = "models";
        if (rest.startsWith("datasets/")) {
            kind = "datasets";
            rest = rest.substring("datasets/".length());
        }
        int at = rest.indexOf("/resolve/");
        if (at < 0) {
            send(ex, 404, "text/plain", new byte[0]);
            return;
        }
        String id = rest.substring(0, at);
        String after = rest.substring(at + "/resolve/".length());
        int slash = after.indexOf('/');
        String rev = URLDecoder.decode(after.substring(0, slash), StandardCharsets.UTF_8);
        String path = URLDecoder.decode(after.substring(slash + 1), StandardCharsets.UTF_8);
        Repo repo = repos.get(kind + "/" + id);
        if (repo == null) {
            error(ex, 401, "RepoNotFound", "Repository not found");
            return;
        }
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (repo.gated && !("Bearer " + acceptedToken).equals(auth)) {
            error(ex, 401, "GatedRepo", "Access to model " + id + " is restricted. You must have access to it and "
                    + "be authenticated to access it. Please log in.");
            return;
        }
        String sha = resolveRev(repo, rev);
        if (sha == null) {
            error(ex, 404, "RevisionNotFound", "Invalid rev id: " + rev);
            return;
        }
        byte[] data = repo.commits.get(sha).get(path);
        Headers h = ex.getResponseHeaders();
        h.add("X-Repo-Commit", sha);
        if (data == null) {
            error(ex, 404, "EntryNotFound", path + " does not exist on \"" + rev + "\"");
            return;
        }
        if (isLfs(path)) {
            h.add("ETag", "\"" + gitBlobSha1(("pointer " + path).getBytes(StandardCharsets.UTF_8)) + "\"");
            h.add("X-Linked-Etag", "\"" + (opaqueEtag ? sha256Hex(data).substring(0, 32) + "-2" : sha256Hex(data))
                    + "\"");
            h.add("X-Linked-Size", String.valueOf(data.length - underReportBy));
            h.add("Location", "http://127.0.0.1:" + cdn.getLocalPort() + "/repos/" + sha256Hex(data)
                    + "?X-Amz-Signature=abc");
            send(ex, 302, "text/plain", "Found.".getBytes(StandardCharsets.UTF_8));
            return;
        }
        h.add("ETag", "\"" + gitBlobSha1(data) + "\"");
        send(ex, 200, "application/octet-stream", data);
    }

    private String resolveRev(Repo repo, String rev) {
        if (repo.commits.containsKey(rev)) {
            return rev;
        }
        return repo.refs.get(rev);
    }

    // ------------------------------------------------------------------ cdn

    /** The CDN is a raw socket server, one request per connection, so it can really drop a connection. */
    private void acceptCdn() {
        while (!cdn.isClosed()) {
            try {
                Socket socket = cdn.accept();
                executor.submit(() -> handleCdn(socket));
            } catch (IOException | RuntimeException e) {
                return; // closed
            }
        }
    }

    private void handleCdn(Socket socket) {
        try (socket) {
            socket.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.ISO_8859_1));
            String requestLine = in.readLine();
            if (requestLine == null) {
                return;
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).strip().toLowerCase(java.util.Locale.ROOT),
                        line.substring(colon + 1).strip());
            }
            String[] parts = requestLine.split(" ");
            String method = parts[0];
            String path = URI.create(parts[1]).getRawPath();
            String range = headers.get("range");
            requests.add(new Request("cdn", method, path, range, headers.get("authorization")));
            OutputStream out = socket.getOutputStream();
            byte[] data = path.startsWith("/repos/") ? find(path.substring("/repos/".length())) : null;
            if (data == null) {
                out.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
                return;
            }
            if (corrupt) {
                data = data.clone();
                data[data.length / 2] ^= 0x55;
            }
            int start = 0;
            String status = "200 OK";
            String contentRange = "";
            if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
                start = Integer.parseInt(range.substring("bytes=".length(), range.length() - 1));
                if (start >= data.length) {
                    out.write(("HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */" + data.length
                            + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    return;
                }
                status = "206 Partial Content";
                contentRange = "Content-Range: bytes " + start + "-" + (data.length - 1) + "/" + data.length + "\r\n";
            }
            int length = data.length - start;
            out.write(("HTTP/1.1 " + status + "\r\nContent-Type: application/octet-stream\r\nAccept-Ranges: bytes\r\n"
                    + contentRange + "Content-Length: " + length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            if (method.equals("HEAD")) {
                return;
            }
            boolean drop = dropAfterBytes >= 0 && drops.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
            int limit = drop ? Math.min(length, dropAfterBytes) : length;
            for (int off = 0; off < limit; off += 8192) {
                out.write(data, start + off, Math.min(8192, limit - off));
                out.flush();
                if (slowMillisPer8k > 0) {
                    sleep(slowMillisPer8k);
                }
            }
            out.flush();
            // on a drop the socket closes here, before Content-Length bytes were sent
        } catch (IOException e) {
            // the client went away
        }
    }

    private byte[] find(String sha256) {
        for (Repo repo : repos.values()) {
            for (Map<String, byte[]> files : repo.commits.values()) {
                for (byte[] data : files.values()) {
                    if (sha256Hex(data).equals(sha256)) {
                        return data;
                    }
                }
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ shared

    private void record(HttpExchange ex, String server) {
        String path = ex.getRequestURI().getRawPath();
        requests.add(new Request(server, ex.getRequestMethod(), path, ex.getRequestHeaders().getFirst("Range"),
                ex.getRequestHeaders().getFirst("Authorization")));
    }

    private static void error(HttpExchange ex, int status, String code, String message) throws IOException {
        ex.getResponseHeaders().add("X-Error-Code", code);
        ex.getResponseHeaders().add("X-Error-Message", message);
        send(ex, status, "application/json", ("{\"error\":\"" + message.replace("\"", "'") + "\"}")
                .getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().add("Content-Type", type);
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().add("Content-Length", String.valueOf(body.length));
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static void sleep(int millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        hub.stop(0);
        uploads.storage.stop(0);
        try {
            cdn.close();
        } catch (IOException e) {
            // closing
        }
        executor.shutdownNow();
    }

    public static Map<String, byte[]> files(Object... pathsAndContents) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (int i = 0; i < pathsAndContents.length; i += 2) {
            Object content = pathsAndContents[i + 1];
            files.put((String) pathsAndContents[i], content instanceof byte[] b ? b
                    : content.toString().getBytes(StandardCharsets.UTF_8));
        }
        return files;
    }
}
