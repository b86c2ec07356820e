package dev.dpo4j.hub.internal;

import com.google.gson.JsonObject;
import dev.dpo4j.hub.HubCache;
import dev.dpo4j.hub.HubException;
import dev.dpo4j.hub.HubException.Kind;
import dev.dpo4j.hub.ModelFiles;
import dev.dpo4j.hub.RepoType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The local snapshot of a Hub model at a revision: {@code config.json}, the safetensors weights (single, or the
 * index and every shard its {@code weight_map} names) and the optional tokenizer files
 * ({@link ModelFiles#HUB_OPTIONAL}), downloading what the cache lacks. A PEFT adapter repository (an
 * {@code adapter_config.json} and no {@code config.json}) gives {@code adapter_config.json},
 * {@code adapter_model.safetensors} and the optional files; its base is resolved by whoever reads the adapter. When
 * to ask the Hub: never offline, never for a fully cached commit hash, else once for the revision's commit and file
 * list, falling back to the cache when the Hub cannot be reached.
 */
public final class SnapshotResolver {

    private final FileDownloads downloads;
    private final HubCache cache;

    public SnapshotResolver(FileDownloads downloads) {
        this.downloads = downloads;
        this.cache = downloads.cache();
    }

    /** The snapshot folder of a model id at a revision (null: {@code main}). */
    public Path snapshot(String modelId, String revision) {
        String id = RepoIds.require(modelId, RepoType.MODEL);
        String rev = RepoIds.revision(revision);
        CacheFallback fallback = downloads.fallback();
        if (downloads.options().offline()) {
            return cached(id, rev, false).orElseThrow(() -> fallback.notCached(RepoType.MODEL, id, rev));
        }
        if (HubCache.COMMIT_HASH.matcher(rev).matches()) {
            Optional<Path> cached = cached(id, rev, true);
            if (cached.isPresent()) {
                return cached.get();
            }
        }
        JsonObject info;
        try {
            info = downloads.api().revisionInfo(RepoType.MODEL, id, rev);
        } catch (HubException e) {
            return fallback.orThrow(e, RepoType.MODEL, id, rev, () -> cached(id, rev, false));
        }
        String commit = downloads.api().sha(info, RepoType.MODEL, id, rev);
        Set<String> siblings = HubApi.siblings(info);
        cache.writeRef(RepoType.MODEL, id, rev, commit);
        if (siblings.contains(ModelFiles.CONFIG)) {
            fetchModel(id, commit, rev, siblings);
        } else if (siblings.contains(ModelFiles.ADAPTER_CONFIG)) {
            fetchAdapter(id, commit, rev, siblings);
        } else {
            throw new HubException(Kind.ENTRY_NOT_FOUND, id, id + " has no config.json (nor a PEFT "
                    + ModelFiles.ADAPTER_CONFIG + ") at revision '" + rev + "': it is not a transformers model "
                    + "repository (check the id, or use a local folder)");
        }
        for (String file : ModelFiles.HUB_OPTIONAL) {
            if (siblings.contains(file)) {
                fetch(id, commit, file);
            } else {
                cache.markMissing(RepoType.MODEL, id, commit, file);
            }
        }
        return cache.snapshotDir(RepoType.MODEL, id, commit);
    }

    /** Fetches config.json and the safetensors weights: single, or the index and every shard it names. */
    private void fetchModel(String id, String commit, String rev, Set<String> siblings) {
        fetch(id, commit, ModelFiles.CONFIG);
        if (siblings.contains(ModelFiles.WEIGHTS_INDEX)) {
            Path index = fetch(id, commit, ModelFiles.WEIGHTS_INDEX);
            for (String shard : shards(index, id)) {
                if (!siblings.contains(shard)) {
                    throw new HubException(Kind.ENTRY_NOT_FOUND, id, id + " names the shard " + shard + " in "
                            + ModelFiles.WEIGHTS_INDEX + " but the repository has no such file at revision '" + rev
                            + "': the repository is broken at that revision, try another one");
                }
                fetch(id, commit, shard);
            }
        } else if (siblings.contains(ModelFiles.WEIGHTS)) {
            fetch(id, commit, ModelFiles.WEIGHTS);
        } else {
            throw new HubException(Kind.ENTRY_NOT_FOUND, id, id + " has no safetensors weights (" + ModelFiles.WEIGHTS
                    + " or " + ModelFiles.WEIGHTS_INDEX + ") at revision '" + rev + "': dpo4j reads safetensors only; "
                    + "convert the checkpoint with transformers' save_pretrained(..., safe_serialization=True)");
        }
    }

    /** Fetches a PEFT adapter's adapter_config.json and adapter_model.safetensors. */
    private void fetchAdapter(String id, String commit, String rev, Set<String> siblings) {
        if (!siblings.contains(ModelFiles.ADAPTER_WEIGHTS)) {
            throw new HubException(Kind.ENTRY_NOT_FOUND, id, id + " is a PEFT adapter without "
                    + ModelFiles.ADAPTER_WEIGHTS + " at revision '" + rev + "'" + (siblings.contains(
                    ModelFiles.ADAPTER_WEIGHTS_BIN) ? " (it has " + ModelFiles.ADAPTER_WEIGHTS_BIN + ")" : "")
                    + ": dpo4j reads safetensors only; convert the adapter with PEFT's save_pretrained(..., "
                    + "safe_serialization=True)");
        }
        fetch(id, commit, ModelFiles.ADAPTER_CONFIG);
        fetch(id, commit, ModelFiles.ADAPTER_WEIGHTS);
    }

    /**
     * The cached snapshot of a model when it is complete: config.json and all weights, or a PEFT adapter's config
     * and weights; with {@code strict}, also every optional file either present or marked missing in
     * {@code .no_exist}.
     */
    Optional<Path> cached(String id, String rev, boolean strict) {
        Optional<String> commit = cache.commitFor(RepoType.MODEL, id, rev);
        if (commit.isEmpty()) {
            return Optional.empty();
        }
        Path dir = cache.snapshotDir(RepoType.MODEL, id, commit.get());
        if (!isComplete(dir)) {
            return Optional.empty();
        }
        if (strict) {
            for (String file : ModelFiles.HUB_OPTIONAL) {
                if (!Files.isRegularFile(dir.resolve(file))
                        && !cache.isMarkedMissing(RepoType.MODEL, id, commit.get(), file)) {
                    return Optional.empty();
                }
            }
        }
        return Optional.of(dir);
    }

    /** Whether a snapshot folder holds a whole model, or a whole adapter (and no config.json). */
    private static boolean isComplete(Path dir) {
        if (Files.isRegularFile(dir.resolve(ModelFiles.CONFIG))) {
            return hasWeights(dir);
        }
        return Files.isRegularFile(dir.resolve(ModelFiles.ADAPTER_CONFIG))
                && Files.isRegularFile(dir.resolve(ModelFiles.ADAPTER_WEIGHTS));
    }

    private static boolean hasWeights(Path dir) {
        Path index = dir.resolve(ModelFiles.WEIGHTS_INDEX);
        if (!Files.isRegularFile(index)) {
            return Files.isRegularFile(dir.resolve(ModelFiles.WEIGHTS));
        }
        try {
            return ModelFiles.shards(index).stream()
                    .allMatch(shard -> Files.isRegularFile(HubCache.resolveRepoPath(dir, shard)));
        } catch (ModelFiles.InvalidIndexException e) {
            return false;
        }
    }

    private Path fetch(String id, String commit, String path) {
        return downloads.download(RepoType.MODEL, id, commit, RepoFile.named(path));
    }

    private static List<String> shards(Path index, String id) {
        try {
            return ModelFiles.shards(index);
        } catch (ModelFiles.InvalidIndexException e) {
            throw new HubException(Kind.OTHER, id, id + "'s " + ModelFiles.WEIGHTS_INDEX + " has no readable "
                    + "weight_map (" + e.getMessage() + "): the repository is broken at that revision, try another "
                    + "one", e);
        }
    }
}
