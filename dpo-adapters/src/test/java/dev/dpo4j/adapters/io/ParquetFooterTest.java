package dev.dpo4j.adapters.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dpo4j.adapters.testing.ParquetFixtures;
import dev.dpo4j.api.data.DataFormatException;
import dev.dpo4j.api.data.DatasetRow;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.Util;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Parquet footer's sizes are checked against the file before anything is allocated (issue 25). */
class ParquetFooterTest {

    @TempDir
    Path dir;

    /** A small valid file: its bytes before the footer, and the footer. */
    static byte[][] validParts(Path dir) throws IOException {
        Path file = ParquetFixtures.write(dir.resolve("valid.parquet"), ParquetFixtures.ORCA, List.of(
                Map.of("question", "q", "chosen", "a", "rejected", "b"),
                Map.of("question", "q2", "chosen", "c", "rejected", "d")));
        byte[] bytes = Files.readAllBytes(file);
        int footerLength = ByteBuffer.wrap(bytes, bytes.length - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int footerStart = bytes.length - 8 - footerLength;
        return new byte[][] {Arrays.copyOf(bytes, footerStart), Arrays.copyOfRange(bytes, footerStart,
                bytes.length - 8)};
    }

    /** The file with the footer replaced (and its length and magic written after it). */
    static byte[] withFooter(byte[] body, byte[] footer) {
        ByteBuffer out = ByteBuffer.allocate(body.length + footer.length + 8).order(ByteOrder.LITTLE_ENDIAN);
        return out.put(body).put(footer).putInt(footer.length).put(new byte[] {'P', 'A', 'R', '1'}).array();
    }

    private Path corrupted(String name, UnaryOperator<byte[]> footerEdit) throws IOException {
        byte[][] parts = validParts(dir);
        return Files.write(dir.resolve(name), withFooter(parts[0], footerEdit.apply(parts[1])));
    }

    private static Path edited(Path dir, String name, java.util.function.Consumer<FileMetaData> edit)
            throws IOException {
        byte[][] parts = validParts(dir);
        FileMetaData meta = Util.readFileMetaData(new ByteArrayInputStream(parts[1]));
        edit.accept(meta);
        ByteArrayOutputStream footer = new ByteArrayOutputStream();
        Util.writeFileMetaData(meta, footer);
        return Files.write(dir.resolve(name), withFooter(parts[0], footer.toByteArray()));
    }

    private static void readAll(Path file) {
        try (Stream<DatasetRow> rows = DatasetReader.read(file)) {
            rows.forEach(row -> { });
        }
    }

    /** The schema list's header in the footer (version 1, then field 2: a list of 5 structs) with a new size. */
    private static UnaryOperator<byte[]> schemaListSize(long size) {
        return footer -> {
            assertThat(Arrays.copyOf(footer, 4)).containsExactly(0x15, 0x02, 0x19, 0x5C);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(footer, 0, 3);
            out.write(0xFC); // the size follows as a varint
            for (long v = size; ; v >>>= 7) {
                if (v < 0x80) {
                    out.write((int) v);
                    break;
                }
                out.write((int) (v & 0x7F) | 0x80);
            }
            out.write(footer, 4, footer.length - 4);
            return out.toByteArray();
        };
    }

    @Test
    void aListSizeOf2To31Minus1IsRefusedNamingTheFile() throws IOException {
        Path file = corrupted("huge-list.parquet", schemaListSize(Integer.MAX_VALUE));
        assertThatThrownBy(() -> readAll(file)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("huge-list.parquet: is not a readable Parquet file: has a corrupt Parquet footer: a list of 2147483647");
    }

    @Test
    void aListSizeJustUnder2To31IsRefusedBeforeAllocating() throws IOException {
        Path file = corrupted("big-list.parquet", schemaListSize(Integer.MAX_VALUE - 100));
        long before = allocated();
        assertThatThrownBy(() -> readAll(file)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("big-list.parquet").hasMessageContaining("a list of 2147483547");
        assertThat(allocated() - before).isLessThan(64L << 20);
    }

    @Test
    void aColumnChunkLargerThanTheFileIsRefusedNamingTheFileAndColumn() throws IOException {
        Path file = edited(dir, "huge-chunk.parquet",
                meta -> meta.getRow_groups().get(0).getColumns().get(1).getMeta_data()
                        .setTotal_compressed_size(1L << 40));
        assertThatThrownBy(() -> readAll(file)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("huge-chunk.parquet: is not a readable Parquet file: row group 0, column [question] claims bytes");
    }

    @Test
    void aFooterLengthBeyondTheFileIsRefused() throws IOException {
        byte[][] parts = validParts(dir);
        byte[] bytes = withFooter(parts[0], parts[1]);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(bytes.length - 8, Integer.MAX_VALUE);
        Path file = Files.write(dir.resolve("long-footer.parquet"), bytes);
        assertThatThrownBy(() -> readAll(file)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("long-footer.parquet: is not a readable Parquet file: has a footer length of 2147483647 bytes");
    }

    @Test
    void theValidFileStillReads() throws IOException {
        byte[][] parts = validParts(dir);
        Path file = Files.write(dir.resolve("again.parquet"), withFooter(parts[0], parts[1]));
        try (Stream<DatasetRow> rows = DatasetReader.read(file)) {
            assertThat(rows.map(row -> row.values().get("question"))).containsExactly("q", "q2");
        }
    }

    /** Bytes this thread has allocated so far (HotSpot's per-thread counter). */
    static long allocated() {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }
}
