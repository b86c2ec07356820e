package dev.dpo4j.hub;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where and how the Hugging Face Hub is reached, resolved the way Python's {@code huggingface_hub} resolves it
 * ({@code constants.py}, {@code utils/_auth.py}):
 * <ul>
 *   <li>{@code endpoint}: {@code HF_ENDPOINT}, default {@value #DEFAULT_ENDPOINT} (trailing '/' removed);</li>
 *   <li>{@code cacheDir}: {@code HF_HUB_CACHE}, else the legacy {@code HUGGINGFACE_HUB_CACHE}, else
 *       {@code $HF_HOME/hub}; {@code HF_HOME} defaults to {@code $XDG_CACHE_HOME/huggingface}, else
 *       {@code ~/.cache/huggingface};</li>
 *   <li>{@code token}: {@code HF_TOKEN}, else {@code HUGGING_FACE_HUB_TOKEN}, else the file {@code HF_TOKEN_PATH}
 *       (default {@code $HF_HOME/token}) stripped; null when none (sent as {@code Authorization: Bearer} only to
 *       the endpoint's own host);</li>
 *   <li>{@code offline}: {@code HF_HUB_OFFLINE} (or {@code TRANSFORMERS_OFFLINE}) is 1, ON, YES or TRUE: cache only,
 *       no request at all.</li>
 * </ul>
 * Immutable; build one explicitly (tests, embedding applications) or with {@link #fromEnvironment()}.
 */
public record HubOptions(URI endpoint, Path cacheDir, String token, boolean offline) {

    /** The public Hub. */
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

    private static final Set<String> TRUE_VALUES = Set.of("1", "ON", "YES", "TRUE");

    public HubOptions {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(cacheDir, "cacheDir");
        String text = endpoint.toString();
        while (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        endpoint = URI.create(text);
        if (endpoint.getScheme() == null || endpoint.getHost() == null) {
            throw new IllegalArgumentException("Hub endpoint must be an absolute http(s) URL, got '" + text + "'");
        }
        token = token == null || token.isBlank() ? null : token.strip();
    }

    /** The public Hub, the given cache folder, no token, online. */
    public static HubOptions of(Path cacheDir) {
        return new HubOptions(URI.create(DEFAULT_ENDPOINT), cacheDir, null, false);
    }

    /** Options from the process environment and the user's home folder, as {@code huggingface_hub} reads them. */
    public static HubOptions fromEnvironment() {
        return fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /** Options from the given environment variables and home folder (so tests never read the real ones). */
    public static HubOptions fromEnvironment(Map<String, String> env, Path home) {
        Path hfHome = env.containsKey("HF_HOME") ? expand(env.get("HF_HOME"), home)
                : (env.containsKey("XDG_CACHE_HOME") ? expand(env.get("XDG_CACHE_HOME"), home)
                        : home.resolve(".cache")).resolve("huggingface");
        String cache = firstNonEmpty(env.get("HF_HUB_CACHE"), env.get("HUGGINGFACE_HUB_CACHE"));
        Path cacheDir = cache != null ? expand(cache, home) : hfHome.resolve("hub");
        String endpoint = firstNonEmpty(env.get("HF_ENDPOINT"), DEFAULT_ENDPOINT);
        String token = firstNonEmpty(env.get("HF_TOKEN"), env.get("HUGGING_FACE_HUB_TOKEN"));
        if (token == null) {
            String tokenPath = env.get("HF_TOKEN_PATH");
            token = readToken(tokenPath != null && !tokenPath.isEmpty() ? expand(tokenPath, home)
                    : hfHome.resolve("token"));
        }
        String offline = firstNonEmpty(env.get("HF_HUB_OFFLINE"), env.get("TRANSFORMERS_OFFLINE"));
        return new HubOptions(URI.create(endpoint), cacheDir, token,
                offline != null && TRUE_VALUES.contains(offline.strip().toUpperCase(Locale.ROOT)));
    }

    public HubOptions withEndpoint(URI newEndpoint) {
        return new HubOptions(newEndpoint, cacheDir, token, offline);
    }

    public HubOptions withCacheDir(Path newCacheDir) {
        return new HubOptions(endpoint, newCacheDir, token, offline);
    }

    public HubOptions withToken(String newToken) {
        return new HubOptions(endpoint, cacheDir, newToken, offline);
    }

    public HubOptions withOffline(boolean newOffline) {
        return new HubOptions(endpoint, cacheDir, token, newOffline);
    }

    /** Never prints the token itself. */
    @Override
    public String toString() {
        return "HubOptions[endpoint=" + endpoint + ", cacheDir=" + cacheDir + ", token="
                + (token == null ? "none" : "set") + ", offline=" + offline + "]";
    }

    private static String readToken(Path file) {
        try {
            if (Files.isRegularFile(file)) {
                String text = Files.readString(file, StandardCharsets.UTF_8).strip();
                return text.isEmpty() ? null : text;
            }
        } catch (IOException e) {
            // an unreadable token file is the same as none
        }
        return null;
    }

    private static String firstNonEmpty(String... values) {
        for (String v : values) {
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        return null;
    }

    private static Path expand(String path, Path home) {
        if (path.equals("~")) {
            return home;
        }
        if (path.startsWith("~/")) {
            return home.resolve(path.substring(2));
        }
        return Path.of(path);
    }
}
