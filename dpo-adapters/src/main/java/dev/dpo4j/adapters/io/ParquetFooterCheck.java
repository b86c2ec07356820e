package dev.dpo4j.adapters.io;

import dev.dpo4j.api.data.DataFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;

/**
 * Checks a Parquet file's footer before parquet-java trusts it, so a hostile or damaged file is refused with its
 * name instead of making the reader allocate what its sizes claim: the footer length against the file's length
 * (and {@link #MAX_FOOTER_BYTES}), every Thrift list, set, map and string size against the footer bytes left (each
 * element takes at least one byte), the nesting depth, and, once parsed, every column chunk's range against the
 * file's length.
 */
final class ParquetFooterCheck {

    /** The largest footer read (256 MiB); real footers are kilobytes to a few megabytes. */
    static final int MAX_FOOTER_BYTES = 1 << 28;

    private static final int MAX_DEPTH = 64;
    private static final byte[] MAGIC = {'P', 'A', 'R', '1'};

    private final String file;
    private final ByteBuffer footer;

    private ParquetFooterCheck(String file, ByteBuffer footer) {
        this.file = file;
        this.footer = footer;
    }

    /** Validates the footer's framing and Thrift structure; throws a {@link DataFormatException} naming the file. */
    static void checkFooter(Path path) {
        String file = path.toString();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long length = channel.size();
            if (length < 12) {
                throw bad(file, "is " + length + " bytes long, too short for a Parquet file");
            }
            ByteBuffer tail = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, tail, length - 8);
            tail.flip();
            int footerLength = tail.getInt();
            byte[] magic = new byte[4];
            tail.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw bad(file, "does not end with the Parquet magic bytes PAR1");
            }
            if (footerLength < 0 || footerLength > length - 12) {
                throw bad(file, "has a footer length of " + Integer.toUnsignedString(footerLength)
                        + " bytes, more than the file's " + length + " bytes can hold");
            }
            if (footerLength > MAX_FOOTER_BYTES) {
                throw bad(file, "has a footer of " + footerLength + " bytes, more than the " + MAX_FOOTER_BYTES
                        + " read");
            }
            ByteBuffer footer = ByteBuffer.allocate(footerLength);
            readFully(channel, footer, length - 8 - footerLength);
            footer.flip();
            new ParquetFooterCheck(file, footer).struct(0);
        } catch (IOException e) {
            throw new DataFormatException(file, -1, null, "cannot be read: " + e, e);
        }
    }

    /** Checks that every column chunk lies inside the file, before any is read. */
    static void checkChunks(Path path, long fileLength, List<BlockMetaData> blocks) {
        String file = path.toString();
        for (int b = 0; b < blocks.size(); b++) {
            BlockMetaData block = blocks.get(b);
            if (block.getRowCount() < 0) {
                throw bad(file, "row group " + b + " claims " + block.getRowCount() + " rows");
            }
            for (ColumnChunkMetaData column : block.getColumns()) {
                long start = column.getStartingPos();
                long size = column.getTotalSize();
                if (start < 0 || size < 0 || start > fileLength || size > fileLength - start) {
                    throw bad(file, "row group " + b + ", column " + column.getPath() + " claims bytes " + start
                            + " to " + start + "+" + size + ", outside the file's " + fileLength + " bytes");
                }
            }
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            at += n;
        }
    }

    private static DataFormatException bad(String file, String problem) {
        return new DataFormatException(file, -1, null, "is not a readable Parquet file: " + problem);
    }

    private DataFormatException corrupt(String what) {
        return bad(file, "has a corrupt Parquet footer: " + what + " at footer byte " + footer.position());
    }

    // Thrift compact protocol: https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md

    private void struct(int depth) {
        if (depth > MAX_DEPTH) {
            throw corrupt("structures nested deeper than " + MAX_DEPTH);
        }
        while (true) {
            int header = readByte();
            int type = header & 0x0F;
            if (type == 0) {
                return;
            }
            if ((header & 0xF0) == 0) {
                varint(); // the field id as a zigzag i16
            }
            if (type == 1 || type == 2) {
                continue; // a boolean field carries its value in the type
            }
            value(type, depth);
        }
    }

    private void value(int type, int depth) {
        switch (type) {
            case 1, 2, 3 -> readByte(); // a boolean inside a container is one byte, as is a byte
            case 4, 5, 6 -> varint();
            case 7 -> skip(8);
            case 8 -> skip(size("string"));
            case 9, 10 -> {
                int header = readByte();
                long count = header >>> 4 & 0x0F;
                if (count == 15) {
                    count = size("list");
                } else {
                    requireRoom(count, "list");
                }
                for (long i = 0; i < count; i++) {
                    value(header & 0x0F, depth + 1);
                }
            }
            case 11 -> {
                long count = size("map");
                if (count > 0) {
                    int types = readByte();
                    for (long i = 0; i < count; i++) {
                        value(types >>> 4 & 0x0F, depth + 1);
                        value(types & 0x0F, depth + 1);
                    }
                }
            }
            case 12 -> struct(depth + 1);
            case 13 -> skip(16); // uuid
            default -> throw corrupt("unknown Thrift type " + type);
        }
    }

    /** A varint size (of a string, list or map): never more than the footer bytes left. */
    private long size(String what) {
        long size = varint();
        requireRoom(size, what);
        return size;
    }

    private void requireRoom(long count, String what) {
        if (count < 0 || count > footer.remaining()) {
            throw corrupt("a " + what + " of " + Long.toUnsignedString(count) + " elements, more than the "
                    + footer.remaining() + " bytes left");
        }
    }

    private long varint() {
        long value = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            int b = readByte();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw corrupt("a varint longer than 10 bytes");
    }

    private int readByte() {
        if (!footer.hasRemaining()) {
            throw corrupt("the footer ends early");
        }
        return footer.get() & 0xFF;
    }

    private void skip(long bytes) {
        if (bytes > footer.remaining()) {
            throw corrupt("the footer ends early");
        }
        footer.position(footer.position() + (int) bytes);
    }
}
