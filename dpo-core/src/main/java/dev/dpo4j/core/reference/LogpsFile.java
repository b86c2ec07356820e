package dev.dpo4j.core.reference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.dpo4j.core.checkpoint.CheckpointException;
import dev.dpo4j.core.checkpoint.Safetensors;
import dev.dpo4j.core.data.TokenizedPair;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A cache file of reference log-probs, safetensors: {@code pair_keys} (int64, pairs x 2: each pair's token-id digest),
 * {@code chosen_logps} and {@code rejected_logps} (float32), with metadata naming the format, the reference's digest
 * and a SHA-256 of the three tensors' values, so that a truncated or altered file is detected.
 */
final class LogpsFile {

    static final String FORMAT = "dpo4j-ref-logps-1";
    static final String KEYS = "pair_keys";
    static final String CHOSEN = "chosen_logps";
    static final String REJECTED = "rejected_logps";

    private LogpsFile() {
    }

    /** A pair's identity: the first 128 bits of the SHA-256 of its prompt, chosen and rejected token ids. */
    record PairKey(long high, long low) {

        static PairKey of(TokenizedPair pair) {
            long[] digest = ContentDigest.of(pair);
            return new PairKey(digest[0], digest[1]);
        }
    }

    /** A cache file that cannot be trusted. */
    static final class DamagedException extends Exception {

        private static final long serialVersionUID = 1L;

        DamagedException(String message) {
            super(message);
        }
    }

    /** Reads a file written for {@code reference}, checking its format, shapes and checksum. */
    static Map<PairKey, float[]> read(Path file, String reference, NDManager manager) throws DamagedException {
        try (NDManager scope = manager.newSubManager()) {
            Map<String, String> metadata = Safetensors.header(file).metadata();
            require(FORMAT.equals(metadata.get("format")), "format is " + metadata.get("format") + ", not " + FORMAT);
            require(reference.equals(metadata.get("reference")), "it was written for another reference");
            Map<String, NDArray> tensors = Safetensors.read(file, scope, DataType.FLOAT32);
            NDArray keys = tensors.get(KEYS);
            NDArray chosen = tensors.get(CHOSEN);
            NDArray rejected = tensors.get(REJECTED);
            require(keys != null && chosen != null && rejected != null, "a tensor is missing");
            long pairs = chosen.getShape().size();
            require(keys.getDataType() == DataType.INT64 && keys.getShape().equals(new Shape(pairs, 2))
                    && chosen.getShape().equals(new Shape(pairs)) && rejected.getShape().equals(new Shape(pairs))
                    && chosen.getDataType() == DataType.FLOAT32 && rejected.getDataType() == DataType.FLOAT32,
                    "its tensors' types or shapes do not match");
            long[] keyValues = keys.toLongArray();
            float[] chosenValues = chosen.toFloatArray();
            float[] rejectedValues = rejected.toFloatArray();
            require(checksum(keyValues, chosenValues, rejectedValues).equals(metadata.get("checksum")),
                    "its checksum does not match its values");
            Map<PairKey, float[]> entries = new LinkedHashMap<>();
            for (int i = 0; i < chosenValues.length; i++) {
                entries.put(new PairKey(keyValues[2 * i], keyValues[2 * i + 1]),
                        new float[] {chosenValues[i], rejectedValues[i]});
            }
            return entries;
        } catch (CheckpointException e) {
            throw new DamagedException(e.getMessage());
        }
    }

    /** Writes {@code entries} of {@code reference} to {@code file}. */
    static void write(Path file, String reference, Map<PairKey, float[]> entries, NDManager manager)
            throws IOException {
        int pairs = entries.size();
        long[] keys = new long[2 * pairs];
        float[] chosen = new float[pairs];
        float[] rejected = new float[pairs];
        int i = 0;
        for (Map.Entry<PairKey, float[]> entry : entries.entrySet()) {
            keys[2 * i] = entry.getKey().high();
            keys[2 * i + 1] = entry.getKey().low();
            chosen[i] = entry.getValue()[0];
            rejected[i] = entry.getValue()[1];
            i++;
        }
        try (NDManager scope = manager.newSubManager()) {
            Map<String, NDArray> tensors = Map.of(KEYS, scope.create(keys, new Shape(pairs, 2)),
                    CHOSEN, scope.create(chosen, new Shape(pairs)), REJECTED, scope.create(rejected, new Shape(pairs)));
            Safetensors.write(file, tensors, Map.of("format", FORMAT, "reference", reference,
                    "checksum", checksum(keys, chosen, rejected)));
        }
    }

    /** The hex SHA-256 of the values, little-endian: keys, then chosen, then rejected. */
    static String checksum(long[] keys, float[] chosen, float[] rejected) {
        ByteBuffer bytes = ByteBuffer.allocate(8 * keys.length + 4 * chosen.length + 4 * rejected.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        for (long key : keys) {
            bytes.putLong(key);
        }
        for (float value : chosen) {
            bytes.putFloat(value);
        }
        for (float value : rejected) {
            bytes.putFloat(value);
        }
        MessageDigest digest = ContentDigest.sha256();
        digest.update(bytes.array());
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void require(boolean condition, String problem) throws DamagedException {
        if (!condition) {
            throw new DamagedException(problem);
        }
    }
}
