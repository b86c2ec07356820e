package dev.dpo4j.core.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzed safetensors files: whatever the header holds, reading ends in the tensors or in one
 * {@link CheckpointException} naming the file, never in another exception. Bounded: 1,000 to 1,500 tries a property, a few
 * seconds each on 2 cores.
 */
class SafetensorsFuzzTest {

    private static final List<String> TOKENS = List.of("{", "}", "[", "]", ",", ":", "\"x\"", "\"y\"", "\"dtype\"",
            "\"shape\"", "\"data_offsets\"", "\"__metadata__\"", "\"F32\"", "\"BF16\"", "\"I64\"", "\"U8\"",
            "\"BOOL\"", "\"F8\"", "0", "1", "2", "4", "8", "-1", "1.5", "1e3", "1e400", "9223372036854775807",
            "18446744073709551616", "null", "true", "\"\"", " ");

    private static NDManager manager;
    private static Path folder;

    @BeforeContainer
    static void open() throws IOException {
        manager = NDManager.newBaseManager();
        folder = Files.createTempDirectory("safetensors-fuzz");
    }

    @AfterContainer
    static void close() throws IOException {
        manager.close();
        try (var files = Files.list(folder)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(folder);
    }

    /** Headers made of JSON tokens in any order, with a random amount of data. */
    @Property(tries = 1500)
    void tokenSoupHeaders(@ForAll("tokenSoup") String header, @ForAll("dataSize") int data) throws IOException {
        check(file(header.getBytes(StandardCharsets.UTF_8), header.length(), data));
    }

    /** Well-formed JSON with tensor entries of random dtypes, shapes and offsets. */
    @Property(tries = 1500)
    void structuredHeaders(@ForAll("entries") String header, @ForAll("dataSize") int data) throws IOException {
        check(file(header.getBytes(StandardCharsets.UTF_8), header.length(), data));
    }

    /** Random bytes, with a random or a plausible header length. */
    @Property(tries = 1000)
    void randomBytes(@ForAll("bytes") byte[] header, @ForAll long length, @ForAll boolean plausible)
            throws IOException {
        check(file(header, plausible ? header.length : length, 0));
    }

    /** A valid file with a single byte of its header or prefix changed. */
    @Property(tries = 1500)
    void mutatedValidFiles(@ForAll("positions") int position, @ForAll byte value) throws IOException {
        Path valid = folder.resolve("valid.safetensors");
        if (!Files.exists(valid)) {
            try (NDManager scratch = manager.newSubManager()) {
                Safetensors.write(valid, Map.of("a", scratch.arange(6f).reshape(2, 3),
                        "b", scratch.create(new long[] {1, 2})), Map.of("format", "pt"));
            }
        }
        byte[] bytes = Files.readAllBytes(valid);
        bytes[position % bytes.length] = value;
        Path file = Files.createTempFile(folder, "mutated", ".safetensors");
        Files.write(file, bytes);
        check(file);
    }

    private static void check(Path file) throws IOException {
        try (NDManager scratch = manager.newSubManager()) {
            Map<String, NDArray> tensors = Safetensors.read(file, scratch, DataType.FLOAT32);
            assertThat(tensors).isNotNull();
        } catch (CheckpointException e) {
            assertThat(e.getMessage()).startsWith(file + ": ");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static Path file(byte[] header, long length, int data) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(8 + header.length + data).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(length).put(header);
        Path file = Files.createTempFile(folder, "fuzz", ".safetensors");
        Files.write(file, out.array());
        return file;
    }

    @Provide
    Arbitrary<String> tokenSoup() {
        return Arbitraries.of(TOKENS).list().ofMaxSize(40).map(tokens -> String.join("", tokens));
    }

    @Provide
    Arbitrary<Integer> dataSize() {
        return Arbitraries.integers().between(0, 256);
    }

    @Provide
    Arbitrary<byte[]> bytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
    }

    @Provide
    Arbitrary<Integer> positions() {
        return Arbitraries.integers().between(0, 400);
    }

    @Provide
    Arbitrary<String> entries() {
        Arbitrary<String> number = Arbitraries.oneOf(Arbitraries.longs().between(-2, 64).map(String::valueOf),
                Arbitraries.of("9223372036854775807", "-9223372036854775808", "4294967296", "1e20", "2.5", "\"4\"",
                        "null", "[]", "{}"));
        Arbitrary<String> dtype = Arbitraries.of("\"F32\"", "\"F16\"", "\"BF16\"", "\"F64\"", "\"I64\"", "\"I32\"",
                "\"I8\"", "\"U8\"", "\"BOOL\"", "\"F8_E4M3\"", "7", "null", "[\"F32\"]");
        Arbitrary<String> shape = number.list().ofMaxSize(20).map(dims -> "[" + String.join(",", dims) + "]");
        Arbitrary<String> offsets = number.list().ofMaxSize(3).map(o -> "[" + String.join(",", o) + "]");
        Arbitrary<String> entry = Combinators.combine(dtype, shape, offsets, Arbitraries.integers().between(0, 9))
                .as((d, s, o, form) -> switch (form) {
                    case 0 -> "[" + d + "]";
                    case 1 -> "{\"shape\":" + s + ",\"data_offsets\":" + o + "}";
                    case 2 -> "{\"dtype\":" + d + ",\"data_offsets\":" + o + "}";
                    case 3 -> "{\"dtype\":" + d + ",\"shape\":" + s + "}";
                    default -> "{\"dtype\":" + d + ",\"shape\":" + s + ",\"data_offsets\":" + o + "}";
                });
        Arbitrary<String> metadata = Arbitraries.of("", "\"__metadata__\":{\"format\":\"pt\"},",
                "\"__metadata__\":[1],", "\"__metadata__\":{\"a\":1},", "\"__metadata__\":null,");
        return Combinators.combine(metadata, entry.list().ofMaxSize(6)).as((m, list) -> {
            StringBuilder json = new StringBuilder("{").append(m);
            for (int i = 0; i < list.size(); i++) {
                json.append(i == 0 ? "" : ",").append("\"t").append(i).append("\":").append(list.get(i));
            }
            return json.append(m.isEmpty() || !list.isEmpty() ? "}" : "\"z\":{}}").toString();
        });
    }
}
