package dev.dpo4j.core.reference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.data.TokenizedPair;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * SHA-256 digests that key the cache of reference log-probs: of a reference's content (its tensors' names, types,
 * shapes and values, read {@value #SLICE_ELEMENTS} elements at a time so that no host buffer grows with the model),
 * and of a pair's token ids.
 */
final class ContentDigest {

    /** Types hashed as stored; others (float16, bfloat16, which DJL may call UNKNOWN) as float32. */
    private static final Set<DataType> AS_STORED = Set.of(DataType.FLOAT32, DataType.FLOAT64, DataType.INT8,
            DataType.UINT8, DataType.INT32, DataType.INT64, DataType.BOOLEAN);

    /** Elements copied to the host at a time: 16 Mi (64 MiB as float32). */
    static final long SLICE_ELEMENTS = 1L << 24;

    private ContentDigest() {
    }

    /** The hex SHA-256 of {@code content} scored in {@code computeType}. */
    static String of(ReferenceContent content, DataType computeType) {
        MessageDigest digest = sha256();
        update(digest, "dpo4j reference log-probs 1\n" + computeType + "\n" + content.description() + "\n");
        for (Map.Entry<String, NDArray> entry : new TreeMap<>(content.tensors()).entrySet()) {
            NDArray tensor = entry.getValue();
            update(digest, entry.getKey() + " " + tensor.getDataType() + " " + tensor.getShape() + "\n");
            values(digest, tensor);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The first 16 bytes of the SHA-256 of the pair's prompt, chosen and rejected ids, each led by its length. */
    static long[] of(TokenizedPair pair) {
        MessageDigest digest = sha256();
        for (int[] ids : new int[][] {pair.prompt(), pair.chosen(), pair.rejected()}) {
            ByteBuffer bytes = ByteBuffer.allocate(4 + 4 * ids.length).order(ByteOrder.LITTLE_ENDIAN);
            bytes.putInt(ids.length);
            for (int id : ids) {
                bytes.putInt(id);
            }
            digest.update(bytes.array());
        }
        ByteBuffer hash = ByteBuffer.wrap(digest.digest());
        return new long[] {hash.getLong(), hash.getLong()};
    }

    /** A new SHA-256 digest. */
    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static void update(MessageDigest digest, String text) {
        digest.update(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Hashes the values in slices of whole rows; half-precision values as float32, which holds them exactly. */
    private static void values(MessageDigest digest, NDArray tensor) {
        long rows = tensor.getShape().dimension() == 0 ? 1 : tensor.getShape().get(0);
        long rowSize = rows == 0 ? 1 : Math.max(1, tensor.getShape().size() / rows);
        long rowsPerSlice = Math.max(1, SLICE_ELEMENTS / rowSize);
        if (rows <= rowsPerSlice) {
            digest.update(hostBytes(tensor));
            return;
        }
        for (long start = 0; start < rows; start += rowsPerSlice) {
            try (NDArray slice = tensor.get(new NDIndex("{}:{}", start, Math.min(rows, start + rowsPerSlice)))) {
                digest.update(hostBytes(slice));
            }
        }
    }

    private static ByteBuffer hostBytes(NDArray array) {
        if (AS_STORED.contains(array.getDataType())) {
            return array.toByteBuffer();
        }
        try (NDArray cast = array.toType(DataType.FLOAT32, false)) {
            return cast.toByteBuffer();
        }
    }
}
