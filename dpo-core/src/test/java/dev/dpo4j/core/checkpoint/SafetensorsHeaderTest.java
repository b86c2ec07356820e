package dev.dpo4j.core.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every malformed safetensors header is one {@link CheckpointException} naming the file, before any tensor. */
class SafetensorsHeaderTest {

    @TempDir
    Path tmp;
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void overlappingTensorsAreRefused() throws IOException {
        Path file = raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]);
        assertRefused(file, "tensor 'b' bytes [4, 12) overlap tensor 'a' bytes [0, 8)");
        // the same bytes named twice
        Path twice = raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]);
        assertRefused(twice, "overlap");
    }

    @Test
    void negativeAndOverflowingShapesNameTheFileAndTensor() throws IOException {
        assertRefused(raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[-1,4],\"data_offsets\":[0,16]}}", new byte[16]),
                "tensor 'x' has a negative dimension in its shape [-1, 4]");
        assertRefused(raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[-2,-2],\"data_offsets\":[0,16]}}", new byte[16]),
                "tensor 'x' has a negative dimension");
        assertRefused(raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,0]}}",
                new byte[0]), "tensor 'x' has a shape too large to hold");
        assertRefused(raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[1e40],\"data_offsets\":[0,4]}}", new byte[4]),
                "tensor 'x' has a malformed header entry (shape holds 1e40, not an integer");
        assertRefused(raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", new byte[4]),
                "not an integer");
    }

    @Test
    void malformedEntriesNameTheFile() throws IOException {
        assertRefused(raw("{\"x\":[1,2,3]}", new byte[0]), "tensor 'x' has a malformed header entry (not an object)");
        assertRefused(raw("{\"x\":{\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]), "dtype should be a string");
        assertRefused(raw("{\"x\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", new byte[4]),
                "shape should be an array");
        assertRefused(raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", new byte[4]),
                "data_offsets should be an array of 2 integers");
        assertRefused(raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[\"0\",4]}}", new byte[4]),
                "not an integer");
        assertRefused(raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", new byte[4]),
                "offsets [4, 0) do not match");
        assertRefused(raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", new byte[8]),
                "offsets [0, 4) do not match its shape [2] of F32 (8 bytes)");
        assertRefused(raw("{\"__metadata__\":[1]}", new byte[0]), "__metadata__ is not an object");
        assertRefused(raw("{\"__metadata__\":{\"a\":{}}}", new byte[0]), "__metadata__ 'a' is not a string");
        assertRefused(raw("null", new byte[0]), "header is not a JSON object");
        assertRefused(raw("[1]", new byte[0]), "header is not a JSON object");
        assertRefused(raw("7", new byte[0]), "header is not a JSON object");
        assertRefused(raw("{} {}", new byte[0]), "not valid JSON");
    }

    @Test
    void theHeaderLengthIsCheckedBeforeAnythingIsAllocated() throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 62).putLong(0);
        Path file = tmp.resolve("huge.safetensors");
        Files.write(file, bytes.array());
        assertRefused(file, "header length 4611686018427387904 in a file of 16 bytes");
        ByteBuffer negative = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-8).putLong(0);
        Files.write(file, negative.array());
        assertRefused(file, "header length -8");
        byte[] notUtf8 = {'{', '"', (byte) 0xC3, '"', ':', '1', '}', ' '};
        assertRefused(raw(notUtf8, new byte[0]), "header is not valid UTF-8");
    }

    @Test
    void validFilesStillReadAndTheHeaderAloneGivesShapesAndTypes() throws IOException {
        Path file = tmp.resolve("ok.safetensors");
        NDArray a = manager.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3));
        NDArray empty = manager.create(new float[0], new Shape(0, 3));
        NDArray scalar = manager.create(7L);
        Safetensors.write(file, Map.of("a", a, "empty", empty, "s", scalar), Map.of("format", "pt"));
        Safetensors.Header header = Safetensors.header(file);
        assertThat(header.metadata()).containsEntry("format", "pt");
        assertThat(header.tensors().get("a").shape()).isEqualTo(new Shape(2, 3));
        assertThat(header.tensors().get("a").dtype()).isEqualTo("F32");
        assertThat(header.tensors().get("s").dataType()).isEqualTo(DataType.INT64);
        Map<String, NDArray> read = Safetensors.read(file, manager, DataType.FLOAT32);
        assertThat(read.get("a").toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(read.get("empty").getShape()).isEqualTo(new Shape(0, 3));
        assertThat(read.get("s").getLong()).isEqualTo(7L);
    }

    private void assertRefused(Path file, String message) {
        assertThatThrownBy(() -> Safetensors.read(file, manager, DataType.FLOAT32))
                .isInstanceOf(CheckpointException.class).hasMessageStartingWith(file + ": ")
                .hasMessageContaining(message);
        assertThatThrownBy(() -> Safetensors.header(file)).isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(file + ": ").hasMessageContaining(message);
    }

    private Path raw(String header, byte[] data) throws IOException {
        return raw(header.getBytes(StandardCharsets.UTF_8), data);
    }

    private Path raw(byte[] json, byte[] data) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length).put(json).put(data);
        Path file = Files.createTempFile(tmp, "raw", ".safetensors");
        Files.write(file, out.array());
        return file;
    }
}
