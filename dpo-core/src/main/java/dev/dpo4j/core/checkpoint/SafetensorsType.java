package dev.dpo4j.core.checkpoint;

import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;

/** The safetensors data types this library reads and writes, with their DJL counterparts. */
enum SafetensorsType {
    F32(DataType.FLOAT32, 4, true),
    F16(DataType.FLOAT16, 2, true),
    BF16(DataType.FLOAT32, 2, true),
    F64(DataType.FLOAT64, 8, true),
    I64(DataType.INT64, 8, false),
    I32(DataType.INT32, 4, false),
    I8(DataType.INT8, 1, false),
    U8(DataType.UINT8, 1, false),
    BOOL(DataType.BOOLEAN, 1, false);

    private final DataType djl;
    private final int bytes;
    private final boolean isFloat;

    SafetensorsType(DataType djl, int bytes, boolean isFloat) {
        this.djl = djl;
        this.bytes = bytes;
        this.isFloat = isFloat;
    }

    DataType djl() {
        return djl;
    }

    int bytes() {
        return bytes;
    }

    boolean isFloat() {
        return isFloat;
    }

    static SafetensorsType of(String name, Path file, String tensor) {
        try {
            return valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file + ": tensor '" + tensor + "' has unsupported dtype " + name
                    + " (supported: F32, F16, BF16, F64, I64, I32, I8, U8, BOOL)", e);
        }
    }

    static SafetensorsType of(DataType type, String tensor) {
        if (type == DataType.BFLOAT16 || type == DataType.UNKNOWN) { // DJL names bfloat16 made by TorchScript UNKNOWN
            return BF16;
        }
        for (SafetensorsType candidate : values()) {
            if (candidate.djl == type && candidate != BF16) {
                return candidate;
            }
        }
        throw new CheckpointException("tensor '" + tensor + "' has a data type safetensors cannot hold: " + type);
    }
}
