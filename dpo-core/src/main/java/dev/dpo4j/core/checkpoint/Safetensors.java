package dev.dpo4j.core.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonSyntaxException;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
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
    private static final long MAX_HEADER = 100L * 1024 * 1024;
    /** Dimensions a tensor may have: no model's tensor has more than 8. */
    static final int MAX_RANK = 16;

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
            Header header = header(file, channel);
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
            return header(file, channel);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read safetensors file: " + e.getMessage(), e);
        }
    }

    private static Header header(Path file, FileChannel channel) throws IOException {
        long size = channel.size();
        if (size < 8) {
            throw new CheckpointException(file + ": not a safetensors file (only " + size + " bytes)");
        }
        ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, lengthBytes, 0);
        long headerLength = lengthBytes.flip().getLong();
        if (headerLength <= 0 || headerLength > MAX_HEADER || headerLength > size - 8) {
            throw new CheckpointException(file + ": not a safetensors file (header length " + headerLength
                    + " in a file of " + size + " bytes; at most " + MAX_HEADER + ")");
        }
        ByteBuffer bytes = ByteBuffer.allocate((int) headerLength);
        readFully(channel, bytes, 8);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes.flip()).toString();
        } catch (CharacterCodingException e) {
            throw new CheckpointException(file + ": safetensors header is not valid UTF-8", e);
        }
        JsonObject json = parseHeader(file, text);
        long dataStart = 8 + headerLength;
        long dataSize = size - dataStart;
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> entry : json.entrySet()) {
            if ("__metadata__".equals(entry.getKey())) {
                metadata = metadata(file, entry.getValue());
            } else {
                tensors.put(entry.getKey(), tensorInfo(file, entry.getKey(), entry.getValue(), dataSize));
            }
        }
        List<TensorInfo> byOffset = new ArrayList<>(tensors.values());
        byOffset.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        TensorInfo previous = null;
        for (TensorInfo info : byOffset) {
            if (info.begin() == info.end()) {
                continue; // an empty tensor occupies no bytes
            }
            if (previous != null && info.begin() < previous.end()) {
                throw new CheckpointException(file + ": tensor '" + info.name() + "' bytes [" + info.begin() + ", "
                        + info.end() + ") overlap tensor '" + previous.name() + "' bytes [" + previous.begin() + ", "
                        + previous.end() + ")");
            }
            previous = info;
        }
        return new Header(tensors, metadata, dataStart);
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new IOException("unexpected end of file at byte " + at);
            }
            at += n;
        }
    }

    private static JsonObject parseHeader(Path file, String text) {
        JsonElement parsed;
        try {
            JsonReader reader = new JsonReader(new StringReader(text));
            reader.setStrictness(Strictness.STRICT);
            parsed = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new JsonSyntaxException("text after the header object");
            }
        } catch (JsonParseException | IOException e) {
            throw new CheckpointException(file + ": safetensors header is not valid JSON: " + e.getMessage(), e);
        }
        if (!parsed.isJsonObject()) {
            throw new CheckpointException(file + ": safetensors header is not a JSON object");
        }
        return parsed.getAsJsonObject();
    }

    private static Map<String, String> metadata(Path file, JsonElement element) {
        if (!element.isJsonObject()) {
            throw new CheckpointException(file + ": safetensors __metadata__ is not an object: " + brief(element));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> entry : element.getAsJsonObject().entrySet()) {
            JsonElement value = entry.getValue();
            if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
                throw new CheckpointException(file + ": safetensors __metadata__ '" + entry.getKey()
                        + "' is not a string: " + brief(value));
            }
            metadata.put(entry.getKey(), value.getAsString());
        }
        return metadata;
    }

    private static TensorInfo tensorInfo(Path file, String name, JsonElement element, long dataSize) {
        String where = file + ": tensor '" + name + "'";
        if (!element.isJsonObject()) {
            throw new CheckpointException(where + " has a malformed header entry (not an object): " + brief(element));
        }
        JsonObject info = element.getAsJsonObject();
        JsonElement dtype = info.get("dtype");
        if (dtype == null || !dtype.isJsonPrimitive() || !dtype.getAsJsonPrimitive().isString()) {
            throw new CheckpointException(where + " has a malformed header entry (dtype should be a string): "
                    + brief(info));
        }
        SafetensorsType type = SafetensorsType.of(dtype.getAsString(), file, name);
        long[] dims = integers(where, "shape", info.get("shape"), -1);
        if (dims.length > MAX_RANK) {
            throw new CheckpointException(where + " has " + dims.length + " dimensions (at most " + MAX_RANK + ")");
        }
        long count = 1;
        for (long dim : dims) {
            if (dim < 0) {
                throw new CheckpointException(where + " has a negative dimension in its shape "
                        + java.util.Arrays.toString(dims));
            }
            count = multiply(where, count, dim, dims);
        }
        long bytes = multiply(where, count, type.bytes(), dims);
        long[] offsets = integers(where, "data_offsets", info.get("data_offsets"), 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (begin < 0 || end < begin || end > dataSize || end - begin != bytes) {
            throw new CheckpointException(where + " offsets [" + begin + ", " + end + ") do not match its shape "
                    + java.util.Arrays.toString(dims) + " of " + type.name() + " (" + bytes
                    + " bytes) or lie beyond the file's " + dataSize + " data bytes");
        }
        if (type == SafetensorsType.BF16 ? count > Integer.MAX_VALUE / 4 : bytes > Integer.MAX_VALUE) {
            throw new CheckpointException(where + " of shape " + java.util.Arrays.toString(dims) + " " + type.name()
                    + " is larger than the 2 GiB one tensor may have here; save the model in shards with smaller "
                    + "tensors or in another dtype");
        }
        return new TensorInfo(name, type, new Shape(dims), begin, end);
    }

    private static long multiply(String where, long a, long b, long[] dims) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new CheckpointException(where + " has a shape too large to hold: " + java.util.Arrays.toString(dims),
                    e);
        }
    }

    /** A JSON array of integers ({@code length} of them, or any number when negative). */
    private static long[] integers(String where, String key, JsonElement element, int length) {
        if (element == null || !element.isJsonArray()
                || (length >= 0 && element.getAsJsonArray().size() != length)) {
            throw new CheckpointException(where + " has a malformed header entry (" + key + " should be an array of "
                    + (length >= 0 ? length + " " : "") + "integers): " + brief(element));
        }
        JsonArray array = element.getAsJsonArray();
        if (array.size() > MAX_RANK + 1) {
            throw new CheckpointException(where + " has " + array.size() + " " + key + " entries (at most "
                    + MAX_RANK + ")");
        }
        long[] values = new long[array.size()];
        for (int i = 0; i < values.length; i++) {
            JsonElement value = array.get(i);
            try {
                if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()
                        || value.getAsString().length() > 30) {
                    throw new NumberFormatException();
                }
                BigDecimal number = new BigDecimal(value.getAsString()).stripTrailingZeros();
                if (number.scale() > 0 || number.precision() - number.scale() > 19) {
                    throw new ArithmeticException();
                }
                values[i] = number.longValueExact();
            } catch (NumberFormatException | ArithmeticException e) {
                throw new CheckpointException(where + " has a malformed header entry (" + key + " holds "
                        + brief(value) + ", not an integer of at most 63 bits)", e);
            }
        }
        return values;
    }

    /** An element's JSON text, cut to 200 characters. */
    private static String brief(JsonElement element) {
        String text = String.valueOf(element);
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
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
