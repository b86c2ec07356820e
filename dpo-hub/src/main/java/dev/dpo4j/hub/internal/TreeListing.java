package dev.dpo4j.hub.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.dpo4j.hub.HubException;
import dev.dpo4j.hub.HubException.Kind;
import dev.dpo4j.hub.HubOptions;
import dev.dpo4j.hub.RepoType;
import dev.dpo4j.hub.internal.HubHttp.Target;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of a dataset commit with their etags and sizes from the Hub's tree API, page by page along the
 * {@code Link: <...>; rel="next"} headers; where the tree API fails (other than by the network) or answers
 * unreadably, the revision info's {@code siblings} without etags.
 */
final class TreeListing {

    private static final Logger LOG = LoggerFactory.getLogger(TreeListing.class);
    private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
    private static final int MAX_PAGES = 1000;

    private final HubOptions options;
    private final HubApi api;

    TreeListing(HubOptions options, HubApi api) {
        this.options = options;
        this.api = api;
    }

    /** Repository path to file, in listing order. */
    Map<String, RepoFile> files(String id, String rev, String commit, JsonObject info) {
        Map<String, RepoFile> files = new LinkedHashMap<>();
        Target target = new Target(RepoType.DATASET, id, rev, null);
        URI next = api.treeUrl(id, commit);
        try {
            for (int page = 0; next != null && page < MAX_PAGES; page++) {
                HttpResponse<byte[]> response = api.http().getBytes(next, target);
                JsonArray entries = JsonParser.parseString(HubHttp.utf8(response.body())).getAsJsonArray();
                for (JsonElement element : entries) {
                    RepoFile file = entry(element.getAsJsonObject());
                    if (file != null) {
                        files.put(file.path(), file);
                    }
                }
                next = nextPage(response);
            }
            return files;
        } catch (HubException e) {
            if (e.kind() == Kind.NETWORK) {
                throw e;
            }
            LOG.debug("tree listing of {} failed ({}); using the revision's file list", id, e.getMessage());
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
            LOG.debug("tree listing of {} unreadable ({}); using the revision's file list", id, e.getMessage());
        }
        files.clear();
        for (String path : HubApi.siblings(info)) {
            files.put(path, RepoFile.named(path));
        }
        return files;
    }

    /** A {@code "type": "file"} entry with the LFS oid and size for LFS files, else the git oid; null otherwise. */
    private static RepoFile entry(JsonObject entry) {
        if (!"file".equals(HubApi.string(entry, "type"))) {
            return null;
        }
        String path = HubApi.string(entry, "path");
        if (path == null) {
            return null;
        }
        JsonObject lfs = entry.has("lfs") && entry.get("lfs").isJsonObject() ? entry.getAsJsonObject("lfs") : null;
        String etag = lfs != null ? HubApi.string(lfs, "oid") : HubApi.string(entry, "oid");
        long size = lfs != null && lfs.has("size") ? lfs.get("size").getAsLong()
                : entry.has("size") ? entry.get("size").getAsLong() : -1;
        return new RepoFile(path, etag, size);
    }

    private URI nextPage(HttpResponse<byte[]> response) {
        return response.headers().firstValue("Link").map(NEXT_LINK::matcher).filter(Matcher::find)
                .map(m -> URI.create(options.endpoint().toString()).resolve(m.group(1))).orElse(null);
    }
}
