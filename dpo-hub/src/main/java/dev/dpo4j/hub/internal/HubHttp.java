package dev.dpo4j.hub.internal;

import dev.dpo4j.hub.HubException;
import dev.dpo4j.hub.HubException.Kind;
import dev.dpo4j.hub.HubOptions;
import dev.dpo4j.hub.RepoType;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The HTTP side of the Hub client: requests with the token sent only to the endpoint's own origin, redirects
 * followed by hand (relative ones only for metadata HEAD requests, as {@code huggingface_hub}), and Hub error
 * responses ({@code X-Error-Code}) turned into {@link HubException}s with one sentence saying what to do.
 */
final class HubHttp {

    static final int MAX_REDIRECTS = 10;
    static final String USER_AGENT = "dpo4j/0.1.0; java/" + Runtime.version().feature();

    private final HttpClient client;
    private final HubOptions options;
    private final Duration timeout;
    private final Duration readTimeout;

    HubHttp(HubOptions options, Duration timeout, Duration readTimeout) {
        this.options = options;
        this.timeout = timeout;
        this.readTimeout = readTimeout;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(timeout).build();
    }

    HubOptions options() {
        return options;
    }

    /** What a request is about, for error messages. */
    record Target(RepoType type, String repoId, String revision, String path) {
        String what() {
            return (type == RepoType.DATASET ? "dataset " : "") + repoId;
        }
    }

    /** A GET of a small (JSON) resource, following redirects; throws on non-2xx. */
    HttpResponse<byte[]> getBytes(URI uri, Target target) {
        URI current = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpResponse<byte[]> response = send(request(current, "GET", Map.of()).build(),
                    HttpResponse.BodyHandlers.ofByteArray(), current, target);
            Optional<URI> next = redirect(response, current);
            if (next.isPresent()) {
                current = next.get();
                continue;
            }
            if (response.statusCode() / 100 != 2) {
                throw error(response.statusCode(), response.headers(), target, false, null);
            }
            return response;
        }
        throw new HubException(Kind.OTHER, target.repoId(), "too many redirects from " + uri);
    }

    /** File metadata from a HEAD request, following only same-origin redirects (a renamed repository). */
    record FileMetadata(String commit, String etag, long size, URI location) {
    }

    FileMetadata head(URI uri, Target target) {
        URI current = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpResponse<Void> response = send(request(current, "HEAD", Map.of("Accept-Encoding", "identity"))
                    .build(), HttpResponse.BodyHandlers.discarding(), current, target);
            int status = response.statusCode();
            Optional<URI> next = redirect(response, current);
            if (next.isPresent() && sameOrigin(next.get(), current)) {
                current = next.get();
                continue;
            }
            if (status / 100 != 2 && status / 100 != 3) {
                throw error(status, response.headers(), target, true, null);
            }
            String commit = response.headers().firstValue("X-Repo-Commit").orElse(null);
            String etag = normalizeEtag(response.headers().firstValue("X-Linked-Etag")
                    .or(() -> response.headers().firstValue("ETag")).orElse(null));
            long size = response.headers().firstValue("X-Linked-Size")
                    .or(() -> status / 100 == 3 ? Optional.empty() : response.headers().firstValue("Content-Length"))
                    .map(HubHttp::parseLong).orElse(-1L);
            if (commit == null || etag == null) {
                throw new HubException(Kind.OTHER, target.repoId(), options.endpoint() + " answered for "
                        + target.repoId() + "/" + target.path() + " without " + (commit == null ? "X-Repo-Commit"
                        : "ETag") + ": it does not look like a Hugging Face Hub; check HF_ENDPOINT and any proxy");
            }
            return new FileMetadata(commit, etag, size, next.orElse(current));
        }
        throw new HubException(Kind.OTHER, target.repoId(), "too many redirects from " + uri);
    }

    /**
     * A streaming GET following every redirect; the token is dropped when the redirect leaves the endpoint's
     * origin (the CDN links are signed). Returns a 2xx response (or 416) whose body the caller must close.
     */
    HttpResponse<InputStream> openStream(URI uri, Map<String, String> headers, Target target) {
        URI current = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpResponse<InputStream> response = send(request(current, "GET", headers).build(),
                    IdleTimeoutBody.handler(readTimeout), current, target);
            Optional<URI> next = redirect(response, current);
            if (next.isPresent()) {
                closeQuietly(response.body());
                current = next.get();
                continue;
            }
            int status = response.statusCode();
            if (status / 100 != 2 && status != 416) {
                closeQuietly(response.body());
                throw error(status, response.headers(), target, true, null);
            }
            return response;
        }
        throw new HubException(Kind.OTHER, target.repoId(), "too many redirects from " + uri);
    }

    private HttpRequest.Builder request(URI uri, String method, Map<String, String> headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(timeout).header("User-Agent", USER_AGENT);
        headers.forEach(builder::header);
        if (options.token() != null && sameOrigin(uri, options.endpoint())) {
            builder.header("Authorization", "Bearer " + options.token());
        }
        return builder;
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler, URI uri,
            Target target) {
        try {
            return client.send(request, handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException(Kind.OTHER, target.repoId(), "interrupted while downloading " + target.what(), e);
        } catch (IOException e) {
            throw networkError(e, target);
        }
    }

    HubException networkError(IOException e, Target target) {
        String reason = e instanceof HttpConnectTimeoutException ? "connection timed out"
                : e instanceof HttpTimeoutException ? "no answer within " + timeout.toSeconds() + " s"
                : e instanceof ConnectException ? "connection refused"
                : Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName());
        return new HubException(Kind.NETWORK, target.repoId(), "cannot reach " + options.endpoint() + " (" + reason
                + ")", e);
    }

    private static Optional<URI> redirect(HttpResponse<?> response, URI current) {
        int status = response.statusCode();
        if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
            return Optional.empty();
        }
        return response.headers().firstValue("Location").map(current::resolve);
    }

    /** Same scheme, host and port (Python compares the netloc; requests drops auth when the host changes). */
    static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(lower(a.getScheme()), lower(b.getScheme()))
                && Objects.equals(lower(a.getHost()), lower(b.getHost())) && port(a) == port(b);
    }

    private static int port(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    /** {@code W/"abc"} or {@code "abc"} to {@code abc}, as {@code _normalize_etag}. */
    static String normalizeEtag(String etag) {
        if (etag == null) {
            return null;
        }
        String e = etag.strip();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        if (e.startsWith("\"")) {
            e = e.substring(1);
        }
        if (e.endsWith("\"")) {
            e = e.substring(0, e.length() - 1);
        }
        return e.isEmpty() ? null : e;
    }

    static long parseLong(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    /** The Hub's error answer as one actionable sentence. */
    HubException error(int status, java.net.http.HttpHeaders headers, Target target, boolean fileRequest,
            Throwable cause) {
        String code = headers.firstValue("X-Error-Code").orElse("");
        String hubMessage = headers.firstValue("X-Error-Message").orElse("");
        String repo = target.what();
        String page = options.endpoint() + "/" + target.type().urlPrefix() + target.repoId();
        boolean hasToken = options.token() != null;
        if (code.equals("RevisionNotFound")) {
            return new HubException(Kind.REVISION_NOT_FOUND, target.repoId(), repo + " has no revision '"
                    + target.revision() + "': pass an existing branch, tag or commit hash (see " + page
                    + "/tree/main), or leave the revision out for main", cause);
        }
        if (code.equals("EntryNotFound") || (status == 404 && fileRequest && code.isEmpty())) {
            return new HubException(Kind.ENTRY_NOT_FOUND, target.repoId(), repo + " has no file '" + target.path()
                    + "' at revision '" + target.revision() + "': check the file list at " + page + "/tree/"
                    + target.revision(), cause);
        }
        if (code.equals("GatedRepo")) {
            return new HubException(Kind.GATED, target.repoId(), hasToken
                    ? repo + " is gated and the account of the token in use has no access yet: accept its license "
                            + "at " + page + " with that account (some need the authors' approval), then retry"
                    : repo + " is gated: accept its license at " + page + " and set HF_TOKEN (or log in with "
                            + "`hf auth login`) to a token of that account", cause);
        }
        // The Hub tells an invalid token apart only by its X-Error-Message header (no X-Error-Code), and
        // huggingface_hub's hf_raise_for_status reads the same header: protocol, not our exceptions' text.
        if (status == 401 && hubMessage.startsWith("Invalid credentials")) {
            return new HubException(Kind.UNAUTHORIZED, target.repoId(), "the Hugging Face token (HF_TOKEN or "
                    + "$HF_HOME/token) was refused by " + options.endpoint() + " as invalid: create a new one at "
                    + options.endpoint() + "/settings/tokens", cause);
        }
        if (code.equals("RepoNotFound") || status == 404 || status == 401) {
            return new HubException(Kind.REPO_NOT_FOUND, target.repoId(), repo + " was not found on "
                    + options.endpoint() + (hasToken ? ", or the token in use cannot see it: check the id and "
                            + "the token's permissions"
                            : ": check the id (org/name), or set HF_TOKEN if it is private"), cause);
        }
        if (status == 403) {
            return new HubException(Kind.UNAUTHORIZED, target.repoId(), "access to " + repo + " is forbidden"
                    + (hubMessage.isEmpty() ? "" : " (" + hubMessage + ")") + (hasToken
                            ? ": give the token in use read access to it (fine-grained tokens list their repos)"
                            : ": set HF_TOKEN to a token that can read it"), cause);
        }
        if (status == 429) {
            return new HubException(Kind.OTHER, target.repoId(), options.endpoint() + " is rate limiting "
                    + "downloads of " + repo + ": wait a few minutes" + (hasToken ? "" : " or set HF_TOKEN (logged-in "
                            + "users get higher limits)") + ", then retry", cause);
        }
        if (status >= 500) {
            return new HubException(Kind.NETWORK, target.repoId(), options.endpoint() + " answered HTTP " + status
                    + " for " + repo + ": the Hub is having trouble, retry later", cause);
        }
        return new HubException(Kind.OTHER, target.repoId(), options.endpoint() + " answered HTTP " + status
                + " for " + repo + (target.path() == null ? "" : "/" + target.path())
                + (hubMessage.isEmpty() ? "" : " (" + hubMessage + ")"), cause);
    }

    static String utf8(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }
}
