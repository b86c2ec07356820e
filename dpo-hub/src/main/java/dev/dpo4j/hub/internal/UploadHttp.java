package dev.dpo4j.hub.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.dpo4j.hub.HubException;
import dev.dpo4j.hub.HubException.Kind;
import dev.dpo4j.hub.HubOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of uploads, as {@code huggingface_hub}'s {@code http_backoff}: each request retried with exponential
 * backoff on I/O errors and on 429, 500, 502, 503 and 504; redirects followed by hand; the token sent only when
 * asked for and only to the endpoint's own origin, redirected or not (LFS storage URLs are presigned and get none);
 * every other answer outside 2xx a {@link HubException} naming the repository and file, never the token.
 */
final class UploadHttp {

    private static final Logger LOG = LoggerFactory.getLogger(UploadHttp.class);
    private static final Set<Integer> RETRIED = Set.of(429, 500, 502, 503, 504);
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
    private static final Duration MAX_WAIT = Duration.ofSeconds(8);

    private final HttpClient client;
    private final HubOptions options;
    private final Duration timeout;
    private final int maxRetries;
    private final Duration retryWait;

    UploadHttp(HubOptions options, Duration timeout, int maxRetries, Duration retryWait) {
        this.options = options;
        this.timeout = timeout;
        this.maxRetries = maxRetries;
        this.retryWait = retryWait;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
    }

    HubOptions options() {
        return options;
    }

    /** What a request does, for messages: the repository, the file (or null) and the step. */
    record About(String repoId, String file, String step) {
        String describe() {
            return step + (file == null ? "" : " '" + file + "'");
        }
    }

    /**
     * Sends a request, retried as the class says; {@code body} makes a fresh body for each try (null: none).
     *
     * @param authorized whether the token goes with it (to the endpoint's origin only)
     * @param timed whether the answer must start within the API timeout (not for uploads of file bytes)
     */
    HttpResponse<byte[]> send(String method, URI uri, Map<String, String> headers, Supplier<BodyPublisher> body,
            boolean authorized, boolean timed, About about) {
        return send(method, uri, headers, body, authorized, timed, about, Set.of());
    }

    /** As the method above, returning the answers of {@code accepted} too. */
    HttpResponse<byte[]> send(String method, URI uri, Map<String, String> headers, Supplier<BodyPublisher> body,
            boolean authorized, boolean timed, About about, Set<Integer> accepted) {
        URI current = uri;
        String currentMethod = method;
        Supplier<BodyPublisher> currentBody = body;
        for (int hop = 0; hop <= HubHttp.MAX_REDIRECTS; hop++) {
            HttpResponse<byte[]> response = sendRetried(currentMethod, current, headers, currentBody, authorized,
                    timed, about);
            int status = response.statusCode();
            Optional<String> location = response.headers().firstValue("Location");
            if (REDIRECTS.contains(status) && location.isPresent()) {
                // followed by hand: the token goes with a request only to the endpoint's origin (see request())
                current = current.resolve(location.get());
                if (status == 303) {
                    currentMethod = "GET";
                    currentBody = null;
                }
                continue;
            }
            if (status / 100 == 2 || accepted.contains(status)) {
                return response;
            }
            throw error(response, about, 1 + maxRetries);
        }
        throw new HubException(Kind.OTHER, about.repoId(), "too many redirects from " + uri + " while "
                + about.describe());
    }

    /** One request, tried again on I/O errors and on 429 and 5xx; any other answer is returned. */
    private HttpResponse<byte[]> sendRetried(String method, URI uri, Map<String, String> headers,
            Supplier<BodyPublisher> body, boolean authorized, boolean timed, About about) {
        for (int attempt = 0; ; attempt++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body.get())
                    .header("User-Agent", HubHttp.USER_AGENT);
            headers.forEach(request::header);
            if (timed) {
                request.timeout(timeout);
            }
            if (authorized && options.token() != null && HubHttp.sameOrigin(uri, options.endpoint())) {
                request.header("Authorization", "Bearer " + options.token());
            }
            HttpResponse<byte[]> response;
            try {
                response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HubException(Kind.OTHER, about.repoId(), "interrupted while " + about.describe() + " of "
                        + about.repoId(), e);
            } catch (IOException e) {
                if (attempt < maxRetries) {
                    retryAfter(attempt, about, e.toString());
                    continue;
                }
                throw new HubException(Kind.NETWORK, about.repoId(), "cannot push to " + about.repoId() + ": "
                        + about.describe() + " failed after " + (attempt + 1) + " tries (" + hide(Objects
                        .requireNonNullElse(e.getMessage(), e.getClass().getSimpleName())) + ")", e);
            }
            if (RETRIED.contains(response.statusCode()) && attempt < maxRetries) {
                retryAfter(attempt, about, "HTTP " + response.statusCode());
                continue;
            }
            return response;
        }
    }

    /** A POST of a JSON object to the endpoint, with the token; the answer parsed as a JSON object. */
    JsonObject postJson(URI uri, JsonObject payload, Map<String, String> headers, About about) {
        byte[] bytes = payload.toString().getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> response = send("POST", uri, withContentType(headers, "application/json"),
                () -> HttpRequest.BodyPublishers.ofByteArray(bytes), true, true, about);
        return json(response, about);
    }

    private static Map<String, String> withContentType(Map<String, String> headers, String type) {
        return headers.containsKey("Content-Type") ? headers : merge(headers, Map.of("Content-Type", type));
    }

    static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
        Map<String, String> all = new java.util.LinkedHashMap<>(a);
        all.putAll(b);
        return all;
    }

    /** The answer as a JSON object, or a HubException saying the endpoint is no Hub. */
    JsonObject json(HttpResponse<byte[]> response, About about) {
        try {
            JsonElement e = JsonParser.parseString(new String(response.body(), StandardCharsets.UTF_8));
            if (e.isJsonObject()) {
                return e.getAsJsonObject();
            }
        } catch (JsonParseException e) {
            // reported below
        }
        throw new HubException(Kind.OTHER, about.repoId(), options.endpoint() + " answered " + about.describe()
                + " of " + about.repoId() + " with something that is not a JSON object: check HF_ENDPOINT");
    }

    private void retryAfter(int attempt, About about, String reason) {
        long millis = Math.min(MAX_WAIT.toMillis(), retryWait.toMillis() << Math.min(attempt, 20));
        LOG.warn("{} of {} failed ({}); retrying in {} ms ({} of {})", about.describe(), about.repoId(), hide(reason),
                millis, attempt + 1, maxRetries);
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException(Kind.OTHER, about.repoId(), "interrupted while " + about.describe() + " of "
                    + about.repoId(), e);
        }
    }

    /** A refused request as one sentence naming the repository, the file and what to do. */
    HubException error(HttpResponse<byte[]> response, About about, int tries) {
        int status = response.statusCode();
        String hubMessage = hubMessage(response);
        String detail = "HTTP " + status + (hubMessage.isEmpty() ? "" : ": " + hubMessage);
        String prefix = "cannot push to " + about.repoId() + " on " + options.endpoint() + ": " + about.describe()
                + " was refused (" + detail + ")";
        if (status == 401 || status == 403) {
            return new HubException(Kind.UNAUTHORIZED, about.repoId(), hide(prefix + (options.token() == null
                    ? "; no token is set: set HF_TOKEN or hub_token (or log in with `hf auth login`) to a token with "
                            + "write access, from " + options.endpoint() + "/settings/tokens"
                    : "; the token in use is invalid or lacks write access to " + about.repoId() + ": use a token "
                            + "with write permission (a fine-grained token must list the repository or its "
                            + "namespace)")));
        }
        if (status == 404) {
            return new HubException(Kind.REPO_NOT_FOUND, about.repoId(), hide(prefix + "; check hub_model_id ("
                    + "org/name) and that the token's account may write to that namespace"));
        }
        if (status >= 500 || status == 429) {
            return new HubException(Kind.NETWORK, about.repoId(), hide(prefix + " " + tries + " times; the Hub is "
                    + "having trouble or rate limiting, push again later"));
        }
        return new HubException(Kind.OTHER, about.repoId(), hide(prefix));
    }

    private static String hubMessage(HttpResponse<byte[]> response) {
        String header = response.headers().firstValue("X-Error-Message").orElse("");
        if (!header.isEmpty()) {
            return header;
        }
        try {
            JsonElement e = JsonParser.parseString(new String(response.body(), StandardCharsets.UTF_8));
            if (e.isJsonObject() && e.getAsJsonObject().has("error")
                    && e.getAsJsonObject().get("error").isJsonPrimitive()) {
                String text = e.getAsJsonObject().get("error").getAsString();
                return text.length() > 300 ? text.substring(0, 300) + "..." : text;
            }
        } catch (JsonParseException | IllegalStateException e) {
            // no JSON error: the status says it
        }
        return "";
    }

    /** The text with the token, should a server have echoed it, replaced: no message or log shows it. */
    String hide(String text) {
        String token = options.token();
        return token == null || text == null ? text : text.replace(token, "<token>").replace('\n', ' ');
    }
}
