package dev.dpo4j.core.metrics.tensorboard;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Writes TFRecord files: each record is its length (uint64, little-endian), the masked CRC32C of those 8 bytes, the
 * data, and the masked CRC32C of the data; every record is flushed to the file as soon as it is written.
 */
final class TfRecordWriter implements AutoCloseable {

    /** The constant TensorFlow adds to a rotated CRC32C ({@code kMaskDelta}). */
    private static final int MASK_DELTA = 0xa282ead8;

    private final Path file;
    private final OutputStream out;

    /** Creates {@code file}, which must not exist (an events file is never overwritten). */
    TfRecordWriter(Path file) throws IOException {
        this.file = file;
        this.out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE));
    }

    /** The file written to. */
    Path file() {
        return file;
    }

    /** Appends one record holding {@code data} and flushes it. */
    void write(byte[] data) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(data.length);
        header.putInt(maskedCrc32c(header.array(), 0, 8));
        ByteBuffer footer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        footer.putInt(maskedCrc32c(data, 0, data.length));
        out.write(header.array());
        out.write(data);
        out.write(footer.array());
        out.flush();
    }

    /** TensorFlow's masked CRC32C of {@code length} bytes at {@code offset}: rotated right by 15, plus a constant. */
    static int maskedCrc32c(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        int value = (int) crc.getValue();
        return ((value >>> 15) | (value << 17)) + MASK_DELTA;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
