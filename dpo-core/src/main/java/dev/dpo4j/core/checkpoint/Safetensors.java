package dev.dpo4j.core.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and writes the safetensors format (an 8-byte little-endian header length, a JSON header, raw
 * little-endian tensor bytes), converting bfloat16, which DJL's PyTorch engine cannot hold, to float32.
 *
 * <p>Written here rather than through {@code NDList.encode} because that API neither converts bfloat16 nor
 * memory-maps large shards, and files written here must load in Hugging Face transformers.
 */
public final class Safetensors {

    private static final Gson GSON = new Gson();

    private Safetensors() {
    }

    /**
     * Reads every tensor of a file, floating-point ones converted to {@code floatType}.
     *
     * @throws CheckpointException naming the file (and tensor) when the file is not valid safetensors
     */
    public static Map<String, NDArray> read(Path file, NDManager manager, DataType floatType) {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            Header header = SafetensorsHeader.read(file, channel);
            for (Map.Entry<String, TensorInfo> entry : header.tensors().entrySet()) {
                tensors.put(entry.getKey(), readTensor(channel, header.dataStart(), entry.getValue(), manager,
                        floatType));
            }
        } catch (IOException e) {
            tensors.values().forEach(NDArray::close);
            throw new CheckpointException(file + ": cannot read safetensors file: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            tensors.values().forEach(NDArray::close);
            throw e;
        }
        return tensors;
    }

    /**
     * A tensor as a safetensors header describes it.
     *
     * @param type its stored data type
     * @param shape its dimensions
     * @param begin first byte, relative to the end of the header
     * @param end byte after the last
     */
    public record TensorInfo(String name, SafetensorsType type, Shape shape, long begin, long end) {

        /** The DJL data type it is stored in (bfloat16 as float32, which it is read as). */
        public DataType dataType() {
            return type.djl();
        }

        /** Its safetensors dtype name: F32, BF16, ... */
        public String dtype() {
            return type.name();
        }
    }

    /**
     * A validated header: every tensor's entry, in file order of its key, and the byte at which the data begins.
     *
     * @param tensors the tensors by name
     * @param metadata the {@code __metadata__} strings
     * @param dataStart the file offset of the first data byte
     */
    public record Header(Map<String, TensorInfo> tensors, Map<String, String> metadata, long dataStart) {
    }

    /**
     * Reads and checks a file's header without reading its tensors: a header length within the file (and at most
     * 100 MiB, checked before anything is allocated), a UTF-8 JSON object whose entries are objects with a known
     * {@code dtype}, a {@code shape} of at most 16 non-negative integer dimensions and {@code data_offsets} of two
     * integers, each tensor's bytes exactly its shape times its element size, within the file and overlapping no
     * other tensor's.
     *
     * @throws CheckpointException naming the file (and the tensor) at the first fault
     */
    public static Header header(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return SafetensorsHeader.read(file, channel);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read safetensors file: " + e.getMessage(), e);
        }
    }

    private static NDArray readTensor(FileChannel channel, long dataStart, TensorInfo info, NDManager manager,
            DataType floatType) throws IOException {
        Shape shape = info.shape();
        SafetensorsType type = info.type();
        ByteBuffer bytes = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + info.begin(),
                info.end() - info.begin()).order(ByteOrder.LITTLE_ENDIAN);
        if (type == SafetensorsType.BF16) {
            return manager.create(bfloat16ToFloat(bytes, shape.size()), shape).toType(floatType, false);
        }
        // Copy out of the mapping: DJL may keep the buffer as the tensor's storage, and weights are updated in place.
        ByteBuffer owned = ByteBuffer.allocateDirect(bytes.remaining()).order(ByteOrder.LITTLE_ENDIAN).put(bytes);
        NDArray array = manager.create(owned.flip(), shape, type.djl());
        if (type.isFloat() && type.djl() != floatType) {
            NDArray converted = array.toType(floatType, false);
            array.close();
            return converted;
        }
        return array;
    }

    private static FloatBuffer bfloat16ToFloat(ByteBuffer bytes, long count) {
        ShortBuffer halves = bytes.asShortBuffer();
        FloatBuffer floats = ByteBuffer.allocateDirect((int) (count * 4)).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        for (int i = 0; i < count; i++) {
            floats.put(Float.intBitsToFloat((halves.get(i) & 0xFFFF) << 16));
        }
        return floats.flip();
    }

    /**
     * Writes tensors to a file in name order (as the Python library does), with the given string metadata;
     * tensors keep their data type.
     */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata)
            throws IOException {
        write(file, tensors, metadata, null);
    }

    /**
     * As {@link #write(Path, Map, Map)}, with floating-point tensors stored as {@code floats} ({@code FLOAT32},
     * {@code FLOAT16} or {@code BFLOAT16}, each rounded to nearest); null keeps every tensor's own type.
     */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata, SaveDtype floats)
            throws IOException {
        write(file, tensors, metadata, floats, SLICE_ELEMENTS);
    }

    /** As the public method, copying tensors to the host {@code sliceElements} elements (whole rows) at a time. */
    static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata, SaveDtype floats,
            long sliceElements) throws IOException {
        Map<String, NDArray> sorted = new TreeMap<>(tensors);
        JsonObject header = new JsonObject();
        if (!metadata.isEmpty()) {
            header.add("__metadata__", GSON.toJsonTree(metadata));
        }
        long offset = 0;
        for (Map.Entry<String, NDArray> entry : sorted.entrySet()) {
            SafetensorsType type = storedAs(entry.getValue(), entry.getKey(), floats);
            NDArray array = entry.getValue();
            long length = array.getShape().size() * type.bytes();
            JsonObject info = new JsonObject();
            info.addProperty("dtype", type.name());
            info.add("shape", GSON.toJsonTree(array.getShape().getShape()));
            info.add("data_offsets", GSON.toJsonTree(new long[] {offset, offset + length}));
            header.add(entry.getKey(), info);
            offset += length;
        }
        byte[] headerBytes = padded(GSON.toJson(header).getBytes(StandardCharsets.UTF_8));
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes.length).array());
            out.write(headerBytes);
            for (Map.Entry<String, NDArray> entry : sorted.entrySet()) {
                writeTensor(entry.getValue(), storedAs(entry.getValue(), entry.getKey(), floats), sliceElements, out);
            }
        }
    }

    private static SafetensorsType storedAs(NDArray array, String name, SaveDtype floats) {
        SafetensorsType own = SafetensorsType.of(array.getDataType(), name);
        return floats == null || !own.isFloat() ? own : floats.storage();
    }

    /**
     * Writes a tensor in slices of whole rows, so no host buffer exceeds a slice (a Java buffer holds at most 2 GiB,
     * less than a 7B model's float32 embedding matrix).
     */
    private static void writeTensor(NDArray array, SafetensorsType type, long sliceElements, OutputStream out)
            throws IOException {
        long rows = array.getShape().dimension() == 0 ? 1 : array.getShape().get(0);
        long rowSize = rows == 0 ? 1 : Math.max(1, array.getShape().size() / rows);
        long rowsPerSlice = Math.max(1, sliceElements / rowSize);
        if (rows <= rowsPerSlice) {
            copy(encoded(array, type), out);
            return;
        }
        for (long start = 0; start < rows; start += rowsPerSlice) {
            try (NDArray slice = array.get(new NDIndex("{}:{}", start, Math.min(rows, start + rowsPerSlice)))) {
                copy(encoded(slice, type), out);
            }
        }
    }

    /** The tensor's bytes, little-endian, in the stored type. */
    private static ByteBuffer encoded(NDArray array, SafetensorsType type) {
        DataType hostType = type == SafetensorsType.BF16 ? DataType.FLOAT32 : type.djl();
        if (hostType == array.getDataType()) {
            return type == SafetensorsType.BF16 ? floatToBfloat16(array.toByteBuffer()) : array.toByteBuffer();
        }
        try (NDArray cast = array.toType(hostType, false)) {
            return type == SafetensorsType.BF16 ? floatToBfloat16(cast.toByteBuffer()) : cast.toByteBuffer();
        }
    }

    /** Rounds float32 values to bfloat16, to nearest with ties to even (as torch does); NaN stays NaN. */
    static ByteBuffer floatToBfloat16(ByteBuffer floats) {
        FloatBuffer in = floats.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        ByteBuffer out = ByteBuffer.allocate(in.remaining() * 2).order(ByteOrder.LITTLE_ENDIAN);
        while (in.hasRemaining()) {
            float value = in.get();
            int bits = Float.floatToRawIntBits(value);
            short half = Float.isNaN(value) ? (short) 0x7FC0 : (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
            out.putShort(half);
        }
        return out.flip();
    }

    private static void copy(ByteBuffer data, OutputStream out) throws IOException {
        data.order(ByteOrder.LITTLE_ENDIAN);
        byte[] chunk = new byte[Math.min(data.remaining(), 1 << 20)];
        while (data.hasRemaining()) {
            int n = Math.min(chunk.length, data.remaining());
            data.get(chunk, 0, n);
            out.write(chunk, 0, n);
        }
    }

    /** Elements copied to the host at a time when writing: 64 Mi (256 MiB of float32). */
    static final long SLICE_ELEMENTS = 1L << 26;

    /** Pads the header with spaces to a multiple of 8 bytes, as the reference implementation does. */
    private static byte[] padded(byte[] header) {
        int length = (header.length + 7) / 8 * 8;
        byte[] out = new byte[length];
        System.arraycopy(header, 0, out, 0, header.length);
        for (int i = header.length; i < length; i++) {
            out[i] = ' ';
        }
        return out;
    }
}
