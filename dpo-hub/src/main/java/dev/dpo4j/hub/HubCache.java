package dev.dpo4j.hub;

import dev.dpo4j.hub.files.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Hugging Face cache folder, laid out exactly as Python's {@code huggingface_hub} lays it out
 * ({@code file_download.py}: {@code repo_folder_name}, {@code _hf_hub_download_to_cache_dir},
 * {@code _create_symlink}, {@code _cache_commit_hash_for_specific_revision}), so both share one cache:
 * <pre>
 * {cacheDir}/
 *   CACHEDIR.TAG
 *   .locks/models--Qwen--Qwen2.5-0.5B/{etag}.lock
 *   models--Qwen--Qwen2.5-0.5B/
 *     refs/main                         (the commit hash, no newline)
 *     blobs/{etag}                      (git-sha1 for regular files, sha256 for LFS files)
 *     blobs/{etag}.incomplete           (a download in progress, resumed with a Range request)
 *     snapshots/{commit}/config.json -> ../../blobs/{etag}   (relative symlinks)
 *     .no_exist/{commit}/generation_config.json              (empty: the file is not in that commit)
 * </pre>
 */
public final class HubCache {

    /** A full 40-hex git commit id, as {@code huggingface_hub}'s {@code REGEX_COMMIT_HASH}. */
    public static final Pattern COMMIT_HASH = Pattern.compile("^[0-9a-f]{40}$");

    private static final String CACHEDIR_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n"
            + "# This file is a cache directory tag created by huggingface_hub.\n"
            + "# For information about cache directory tags, see:\n"
            + "#\thttps://bford.info/cachedir/\n";

    private final Path root;

    public HubCache(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** {@code models--org--name} or {@code datasets--org--name}. */
    public static String repoFolderName(RepoType type, String repoId) {
        return type.plural() + "--" + String.join("--", repoId.split("/"));
    }

    public Path repoDir(RepoType type, String repoId) {
        return root.resolve(repoFolderName(type, repoId));
    }

    public Path blob(RepoType type, String repoId, String etag) {
        return repoDir(type, repoId).resolve("blobs").resolve(checkSegment(etag));
    }

    public Path incomplete(RepoType type, String repoId, String etag) {
        return repoDir(type, repoId).resolve("blobs").resolve(checkSegment(etag) + ".incomplete");
    }

    public Path lockFile(RepoType type, String repoId, String etag) {
        return root.resolve(".locks").resolve(repoFolderName(type, repoId)).resolve(checkSegment(etag) + ".lock");
    }

    public Path snapshotDir(RepoType type, String repoId, String commit) {
        return repoDir(type, repoId).resolve("snapshots").resolve(checkSegment(commit));
    }

    /** The snapshot entry of a repository file (a symlink into blobs/). */
    public Path pointer(RepoType type, String repoId, String commit, String repoPath) {
        return resolveRepoPath(snapshotDir(type, repoId, commit), repoPath);
    }

    /**
     * The commit a revision stands for in the cache: the revision itself when it is a full commit hash, else the
     * content of {@code refs/{revision}}; empty when the cache does not know it.
     */
    public Optional<String> commitFor(RepoType type, String repoId, String revision) {
        if (COMMIT_HASH.matcher(revision).matches()) {
            return Optional.of(revision);
        }
        Path ref = refFile(type, repoId, revision);
        try {
            if (Files.isRegularFile(ref)) {
                String commit = Files.readString(ref, StandardCharsets.UTF_8).strip();
                if (!commit.isEmpty()) {
                    return Optional.of(commit);
                }
            }
        } catch (IOException e) {
            // unreadable ref: unknown
        }
        return Optional.empty();
    }

    /** Records that a branch or tag points at a commit (written by {@link AtomicFiles}; nothing for a commit hash). */
    public void writeRef(RepoType type, String repoId, String revision, String commit) {
        if (revision.equals(commit)) {
            return;
        }
        Path ref = refFile(type, repoId, revision);
        try {
            if (Files.isRegularFile(ref) && Files.readString(ref, StandardCharsets.UTF_8).equals(commit)) {
                return;
            }
            AtomicFiles.writeString(ref, commit);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + ref + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code .no_exist/{commit}/{path}} marks the file as absent from that commit. */
    public boolean isMarkedMissing(RepoType type, String repoId, String commit, String repoPath) {
        return Files.isRegularFile(noExist(type, repoId, commit, repoPath));
    }

    /** Marks a file as absent from a commit (best effort, as Python does). */
    public void markMissing(RepoType type, String repoId, String commit, String repoPath) {
        Path marker = noExist(type, repoId, commit, repoPath);
        try {
            Files.createDirectories(marker.getParent());
            if (!Files.exists(marker)) {
                Files.createFile(marker);
            }
        } catch (IOException e) {
            // the marker is an optimization only
        }
    }

    /**
     * The regular files of a cached snapshot as repository paths ('/'-separated, sorted); empty when the snapshot
     * folder does not exist. Dangling symlinks are left out.
     */
    public List<String> snapshotFiles(RepoType type, String repoId, String commit) {
        Path dir = snapshotDir(type, repoId, commit);
        List<String> files = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return files;
        }
        try (Stream<Path> walk = Files.walk(dir, 32)) {
            walk.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/')).sorted()
                    .forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        return files;
    }

    /**
     * Points {@code pointer} at {@code blob} with a relative symlink, as {@code _create_symlink} does; where the file
     * system has no symlinks the blob is copied instead.
     */
    public static void link(Path blob, Path pointer) throws IOException {
        Files.createDirectories(pointer.getParent());
        Path relative = pointer.getParent().toAbsolutePath().relativize(blob.toAbsolutePath());
        Files.deleteIfExists(pointer);
        try {
            Files.createSymbolicLink(pointer, relative);
        } catch (FileAlreadyExistsException e) {
            // created concurrently: fine if it points at the same blob
            if (!Files.isSymbolicLink(pointer) || !Files.isSameFile(pointer, blob)) {
                throw e;
            }
        } catch (UnsupportedOperationException | IOException e) {
            if (Files.exists(pointer, LinkOption.NOFOLLOW_LINKS)) {
                throw e;
            }
            Files.copy(blob, pointer, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Writes {@code CACHEDIR.TAG} in the cache root if missing, as {@code huggingface_hub} does (best effort). */
    public void tagCacheDir() {
        Path tag = root.resolve("CACHEDIR.TAG");
        try {
            if (!Files.exists(tag)) {
                Files.createDirectories(root);
                Files.writeString(tag, CACHEDIR_TAG, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            // optional
        }
    }

    /**
     * A repository path resolved under a folder, refusing absolute paths and '..' (as {@code huggingface_hub}'s
     * {@code _validate_relative_filename}).
     */
    public static Path resolveRepoPath(Path folder, String repoPath) {
        if (repoPath.isEmpty() || repoPath.startsWith("/") || repoPath.contains("\\")) {
            throw new IllegalArgumentException("invalid repository file path '" + repoPath + "'");
        }
        Path result = folder;
        for (String part : repoPath.split("/")) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException("invalid repository file path '" + repoPath + "'");
            }
            result = result.resolve(part);
        }
        return result;
    }

    private Path refFile(RepoType type, String repoId, String revision) {
        return resolveRepoPath(repoDir(type, repoId).resolve("refs"), revision);
    }

    private Path noExist(RepoType type, String repoId, String commit, String repoPath) {
        return resolveRepoPath(repoDir(type, repoId).resolve(".no_exist").resolve(checkSegment(commit)), repoPath);
    }

    private static String checkSegment(String name) {
        if (name == null || name.isEmpty() || name.contains("/") || name.contains("\\") || name.equals(".")
                || name.equals("..")) {
            throw new IllegalArgumentException("invalid cache file name '" + name + "'");
        }
        return name;
    }
}
