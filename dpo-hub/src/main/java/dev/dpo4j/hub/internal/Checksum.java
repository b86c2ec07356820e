package dev.dpo4j.hub.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What the Hub's etag of a file lets us verify: a 64-hex etag is the SHA-256 of an LFS file's content (the LFS oid,
 * sent as {@code X-Linked-Etag}); a 40-hex etag is the git blob id of a regular file, the SHA-1 of
 * {@code "blob <size>\0" + content}. Other etags (mirrors, proxies) cannot be verified; the size still is.
 */
final class Checksum {

    private static final Pattern SHA256 = Pattern.compile("^[0-9a-f]{64}$");
    private static final Pattern SHA1 = Pattern.compile("^[0-9a-f]{40}$");

    private final String expected;
    private final String algorithm;
    private final long size;
    private MessageDigest digest;

    private Checksum(String expected, String algorithm, long size) {
        this.expected = expected;
        this.algorithm = algorithm;
        this.size = size;
        reset();
    }

    /** The checksum the etag stands for, or null when it cannot be verified. */
    static Checksum forEtag(String etag, long size) {
        String e = etag.toLowerCase(Locale.ROOT);
        if (SHA256.matcher(e).matches()) {
            return new Checksum(e, "SHA-256", size);
        }
        if (SHA1.matcher(e).matches() && size >= 0) {
            return new Checksum(e, "SHA-1", size);
        }
        return null;
    }

    /** What is verified, for messages: "sha256" or "git-sha1". */
    String kind() {
        return algorithm.equals("SHA-256") ? "sha256" : "git-sha1";
    }

    void reset() {
        try {
            digest = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        if (algorithm.equals("SHA-1")) {
            digest.update(("blob " + size + "\0").getBytes(StandardCharsets.US_ASCII));
        }
    }

    void update(byte[] bytes, int offset, int length) {
        digest.update(bytes, offset, length);
    }

    /** The hex digest of what was fed, compared with the etag. */
    String actual() {
        return HexFormat.of().formatHex(digest.digest());
    }

    String expected() {
        return expected;
    }
}
