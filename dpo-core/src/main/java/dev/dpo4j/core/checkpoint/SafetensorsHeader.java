package dev.dpo4j.core.checkpoint;

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
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checks of a safetensors header before anything of it is trusted ({@link Safetensors#header(java.nio.file.Path)}):
 * its length within the file and bounded before allocation, one UTF-8 JSON object of tensor entries, each with a known
 * dtype, a bounded shape and offsets inside the file that match its size and overlap no other tensor.
 */
final class SafetensorsHeader {

    private static final Gson GSON = new Gson();
    private static final long MAX_HEADER = 100L * 1024 * 1024;
    /** Dimensions a tensor may have: no model's tensor has more than 8. */
    static final int MAX_RANK = 16;

    private SafetensorsHeader() {
    }

    /** Reads and checks the header of {@code file} through {@code channel} ({@link Safetensors#header(Path)}). */
    static Safetensors.Header read(Path file, FileChannel channel) throws IOException {
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
        Map<String, Safetensors.TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> entry : json.entrySet()) {
            if ("__metadata__".equals(entry.getKey())) {
                metadata = metadata(file, entry.getValue());
            } else {
                tensors.put(entry.getKey(), tensorInfo(file, entry.getKey(), entry.getValue(), dataSize));
            }
        }
        List<Safetensors.TensorInfo> byOffset = new ArrayList<>(tensors.values());
        byOffset.sort(Comparator.comparingLong(Safetensors.TensorInfo::begin)
                .thenComparingLong(Safetensors.TensorInfo::end));
        Safetensors.TensorInfo previous = null;
        for (Safetensors.TensorInfo info : byOffset) {
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
        return new Safetensors.Header(tensors, metadata, dataStart);
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

    private static Safetensors.TensorInfo tensorInfo(Path file, String name, JsonElement element, long dataSize) {
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
        return new Safetensors.TensorInfo(name, type, new Shape(dims), begin, end);
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
}
