package dev.dpo4j.hub.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.dpo4j.hub.HubCache;
import dev.dpo4j.hub.HubException;
import dev.dpo4j.hub.HubException.Kind;
import dev.dpo4j.hub.HubOptions;
import dev.dpo4j.hub.RepoType;
import dev.dpo4j.hub.internal.HubHttp.Target;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The Hub's URL layout ({@code /api/{models|datasets}/{id}/revision/{rev}}, {@code /[datasets/]{id}/resolve/...})
 * and the parts of its JSON answers dpo4j reads: the commit hash and the file list of a revision.
 */
public final class HubApi {

    private final HubOptions options;
    private final HubHttp http;

    HubApi(HubOptions options, HubHttp http) {
        this.options = options;
        this.http = http;
    }

    HubHttp http() {
        return http;
    }

    /** {@code GET /api/{type}s/{id}/revision/{rev}}: the revision's commit ({@code sha}) and {@code siblings}. */
    JsonObject revisionInfo(RepoType type, String id, String rev) {
        URI uri = URI.create(options.endpoint() + "/api/" + type.plural() + "/" + id + "/revision/"
                + encode(rev, false));
        HttpResponse<byte[]> response = http.getBytes(uri, new Target(type, id, rev, null));
        try {
            return JsonParser.parseString(HubHttp.utf8(response.body())).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new HubException(Kind.OTHER, id, options.endpoint() + " answered the " + type.singular()
                    + " info of " + id + " with something that is not JSON: check HF_ENDPOINT and any proxy", e);
        }
    }

    /** The full commit hash of a revision info, or a HubException saying the endpoint gave none. */
    String sha(JsonObject info, RepoType type, String id, String rev) {
        String sha = string(info, "sha");
        if (sha == null || !HubCache.COMMIT_HASH.matcher(sha).matches()) {
            throw new HubException(Kind.OTHER, id, options.endpoint() + " gave no commit hash for "
                    + new Target(type, id, rev, null).what() + " at '" + rev + "': check HF_ENDPOINT");
        }
        return sha;
    }

    /** The repository paths of a revision info's {@code siblings}, in the Hub's order. */
    static Set<String> siblings(JsonObject info) {
        Set<String> names = new LinkedHashSet<>();
        if (info.has("siblings") && info.get("siblings").isJsonArray()) {
            for (JsonElement e : info.getAsJsonArray("siblings")) {
                String name = e.isJsonObject() ? string(e.getAsJsonObject(), "rfilename") : null;
                if (name != null) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    static String string(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || !e.isJsonPrimitive() ? null : e.getAsString();
    }

    /** {@code /[datasets/]{id}/resolve/{rev}/{path}}. */
    URI resolveUrl(RepoType type, String id, String rev, String path) {
        return URI.create(options.endpoint() + "/" + type.urlPrefix() + id + "/resolve/" + encode(rev, false) + "/"
                + encode(path, true));
    }

    /** {@code /api/datasets/{id}/tree/{commit}?recursive=true&expand=false}, the first page of a listing. */
    URI treeUrl(String id, String commit) {
        return URI.create(options.endpoint() + "/api/datasets/" + id + "/tree/" + encode(commit, false)
                + "?recursive=true&expand=false");
    }

    /** Percent-encoding as Python's {@code quote}: unreserved characters kept, '/' kept only in paths. */
    public static String encode(String s, boolean keepSlash) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~' || (keepSlash && c == '/')) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }
}
