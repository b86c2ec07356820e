package dev.dpo4j.hub.internal;

import com.google.gson.JsonObject;
import dev.dpo4j.hub.HubException;
import dev.dpo4j.hub.HubException.Kind;
import dev.dpo4j.hub.HubOptions;
import dev.dpo4j.hub.PushResult;
import dev.dpo4j.hub.UploadFile;
import dev.dpo4j.hub.internal.UploadHttp.About;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creating a model repository and committing files to it, as {@code huggingface_hub}'s {@code create_repo} and
 * {@code create_commit}: preupload ({@link Preupload}), files the repository already has as they are left out, the
 * large files' bytes through LFS ({@link LfsUploads}), then one commit ({@link CommitBody}) on {@code main}.
 */
public final class RepoUploads {

    private static final Logger LOG = LoggerFactory.getLogger(RepoUploads.class);
    private static final String REVISION = RepoIds.DEFAULT_REVISION;

    private final UploadHttp http;

    public RepoUploads(HubOptions options, Duration timeout, int maxRetries, Duration retryWait) {
        this.http = new UploadHttp(options, timeout, maxRetries, retryWait);
    }

    /**
     * {@code POST /api/repos/create}; a repository that exists already is fine (409, or a refusal to create where
     * the token can still see the repository). Returns the repository's id as the Hub's answer names it, with the
     * namespace of the token's account when {@code repoId} is a bare name.
     */
    public String createRepo(String repoId, boolean privateRepo) {
        requireId(repoId);
        JsonObject payload = new JsonObject();
        int slash = repoId.indexOf('/');
        payload.addProperty("name", slash < 0 ? repoId : repoId.substring(slash + 1));
        payload.addProperty("organization", slash < 0 ? null : repoId.substring(0, slash));
        payload.addProperty("type", "model");
        if (privateRepo) {
            payload.addProperty("visibility", "private");
        }
        byte[] body = payload.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        About about = new About(repoId, null, "creating the repository");
        URI uri = URI.create(http.options().endpoint() + "/api/repos/create");
        HttpResponse<byte[]> response = http.send("POST", uri, Map.of("Content-Type", "application/json"),
                () -> HttpRequest.BodyPublishers.ofByteArray(body), true, true, about, Set.of(401, 402, 403, 409));
        int status = response.statusCode();
        if (status != 409 && status / 100 != 2 && !exists(repoId)) {
            throw http.error(response, about, 1);
        }
        return status == 409 || status / 100 == 2 ? idFromUrl(response, repoId) : repoId;
    }

    /** The id in the answer's {@code url} ({@code {endpoint}/{org}/{name}}), else {@code repoId}. */
    private String idFromUrl(HttpResponse<byte[]> response, String repoId) {
        try {
            JsonObject answer = com.google.gson.JsonParser.parseString(new String(response.body(),
                    java.nio.charset.StandardCharsets.UTF_8)).getAsJsonObject();
            String url = HubApi.string(answer, "url");
            String prefix = http.options().endpoint() + "/";
            String id = url != null && url.startsWith(prefix) ? url.substring(prefix.length()) : null;
            return id != null && RepoIds.isRepoId(id) ? id : repoId;
        } catch (RuntimeException e) {
            return repoId;
        }
    }

    /** Whether the token can see the repository ({@code GET /api/models/{id}}), where it may not create it. */
    private boolean exists(String repoId) {
        URI uri = URI.create(http.options().endpoint() + "/api/models/" + repoId);
        return http.send("GET", uri, Map.of(), null, true, true, new About(repoId, null, "looking up the repository"),
                Set.of(401, 403, 404)).statusCode() / 100 == 2;
    }

    /**
     * Commits {@code files} to the repository's {@code main} in one commit named {@code summary}; files the
     * repository already has with the same content are left out, and no commit is made when none is left.
     */
    public PushResult push(String repoId, List<UploadFile> files, String summary, String description) {
        requireId(repoId);
        Set<String> paths = new HashSet<>();
        List<LocalBlob> blobs = new ArrayList<>();
        for (UploadFile file : files) {
            if (!paths.add(file.pathInRepo())) {
                throw new IllegalArgumentException("'" + file.pathInRepo() + "' is pushed twice to " + repoId);
            }
            blobs.add(new LocalBlob(file));
        }
        Map<String, Preupload.Mode> modes = Preupload.modes(http, repoId, REVISION, blobs);
        List<LocalBlob> regular = new ArrayList<>();
        List<LocalBlob> lfs = new ArrayList<>();
        int unchanged = 0;
        for (LocalBlob blob : blobs) {
            Preupload.Mode mode = modes.get(blob.path());
            if (mode.ignored()) {
                LOG.info("{}: not pushed to {}, which ignores it (.gitignore)", blob.path(), repoId);
            } else if (mode.remoteOid() != null && mode.remoteOid().equals(mode.lfs() ? blob.sha256()
                    : blob.gitSha1())) {
                unchanged++;
            } else {
                (mode.lfs() ? lfs : regular).add(blob);
            }
        }
        if (regular.isEmpty() && lfs.isEmpty()) {
            LOG.info("{} has every file as it is here already: nothing to commit", repoId);
            return new PushResult(http.options().endpoint() + "/" + repoId, null, 0, unchanged, 0, 0);
        }
        LfsUploads.Counts counts = LfsUploads.upload(http, repoId, REVISION, lfs);
        JsonObject answer = commit(repoId, summary, description, regular, lfs);
        return new PushResult(HubApi.string(answer, "commitUrl"), HubApi.string(answer, "commitOid"),
                regular.size() + lfs.size(), unchanged, counts.uploaded(), counts.present());
    }

    private JsonObject commit(String repoId, String summary, String description, List<LocalBlob> regular,
            List<LocalBlob> lfs) {
        Path body;
        try {
            body = CommitBody.write(summary, description == null ? "" : description, regular, lfs);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the commit for " + repoId + ": " + e.getMessage(), e);
        }
        try {
            URI uri = URI.create(http.options().endpoint() + "/api/models/" + repoId + "/commit/"
                    + HubApi.encode(REVISION, false));
            About about = new About(repoId, null, "committing " + (regular.size() + lfs.size()) + " files");
            return http.json(http.send("POST", uri, Map.of("Content-Type", "application/x-ndjson"), () -> {
                try {
                    return HttpRequest.BodyPublishers.ofFile(body);
                } catch (FileNotFoundException e) {
                    throw new UncheckedIOException(e);
                }
            }, true, true, about), about);
        } finally {
            try {
                Files.deleteIfExists(body);
            } catch (IOException e) {
                LOG.debug("cannot delete {}: {}", body, e.toString());
            }
        }
    }

    private void requireId(String repoId) {
        if (http.options().offline()) {
            throw new HubException(Kind.OTHER, repoId, "cannot push to " + repoId + " while offline mode is on "
                    + "(HF_HUB_OFFLINE): unset it to push");
        }
        if (!RepoIds.isRepoId(repoId)) {
            throw new HubException(Kind.REPO_NOT_FOUND, repoId, "'" + repoId + "' is no Hub model id (org/name or "
                    + "name): check hub_model_id");
        }
    }
}
