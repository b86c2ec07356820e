package dev.dpo4j.hub.internal;

import dev.dpo4j.hub.UploadFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A file to upload as the Hub sees it ({@code huggingface_hub}'s {@code UploadInfo}): its size, its first 512 bytes
 * (the preupload sample), the SHA-256 of its content (the LFS oid) and the git blob id a regular file has; each
 * digest read once, streaming, 1 MiB at a time.
 */
final class LocalBlob {

    private static final int SAMPLE = 512;
    private static final int BUFFER = 1 << 20;

    private final UploadFile file;
    private final long size;
    private final byte[] sample;
    private String sha256;

    LocalBlob(UploadFile file) {
        this.file = file;
        try {
            this.size = Files.size(file.file());
            try (InputStream in = Files.newInputStream(file.file())) {
                this.sample = in.readNBytes(SAMPLE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file.file() + " (" + file.pathInRepo() + "): "
                    + e.getMessage(), e);
        }
    }

    UploadFile file() {
        return file;
    }

    String path() {
        return file.pathInRepo();
    }

    long size() {
        return size;
    }

    byte[] sample() {
        return sample.clone();
    }

    /** The hex SHA-256 of the content, computed on first use. */
    String sha256() {
        if (sha256 == null) {
            sha256 = digest("SHA-256", null);
        }
        return sha256;
    }

    /** The git blob id, the SHA-1 of {@code "blob <size>\0" + content}: what the Hub reports for regular files. */
    String gitSha1() {
        return digest("SHA-1", ("blob " + size + "\0").getBytes(StandardCharsets.US_ASCII));
    }

    private String digest(String algorithm, byte[] header) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        if (header != null) {
            digest.update(header);
        }
        byte[] buffer = new byte[BUFFER];
        try (InputStream in = Files.newInputStream(file.file())) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file.file() + " (" + file.pathInRepo() + "): "
                    + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
