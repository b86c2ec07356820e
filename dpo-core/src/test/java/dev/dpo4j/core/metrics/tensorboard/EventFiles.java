package dev.dpo4j.core.metrics.tensorboard;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Reads TensorBoard events files back for tests, independently of the writer: the TFRecord framing with both masked
 * CRC32C checksums verified, then each {@code tensorflow.Event} decoded with protobuf's {@link CodedInputStream}.
 */
public final class EventFiles {

    /** One {@code Summary.Value}: a tag and its {@code simple_value}. */
    public record Scalar(String tag, float value) {
    }

    /** One decoded event; fields it does not have are null, 0 or empty. */
    public record Event(double wallTime, long step, String fileVersion, int sessionStatus, List<Scalar> values) {
    }

    /** A scalar with its step, flattened from the events. */
    public record Point(String tag, long step, float value) {
    }

    private EventFiles() {
    }

    /** The events files in every run folder under {@code runs}, sorted by name as TensorBoard reads them. */
    public static List<Path> files(Path runs) throws IOException {
        try (Stream<Path> all = Files.walk(runs)) {
            return all.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().contains("tfevents"))
                    .sorted().toList();
        }
    }

    /** Every event of {@code file}, in order. */
    public static List<Event> read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        List<Event> events = new ArrayList<>();
        while (in.hasRemaining()) {
            int start = in.position();
            if (in.remaining() < 12) {
                throw new IOException(file + ": truncated record header at byte " + start);
            }
            long length = in.getLong();
            int lengthCrc = in.getInt();
            if (lengthCrc != masked(bytes, start, 8)) {
                throw new IOException(file + ": bad length checksum at byte " + start);
            }
            if (length < 0 || in.remaining() < length + 4) {
                throw new IOException(file + ": truncated record at byte " + start);
            }
            int dataStart = in.position();
            in.position(dataStart + (int) length);
            int dataCrc = in.getInt();
            if (dataCrc != masked(bytes, dataStart, (int) length)) {
                throw new IOException(file + ": bad data checksum at byte " + dataStart);
            }
            events.add(event(CodedInputStream.newInstance(bytes, dataStart, (int) length)));
        }
        return events;
    }

    /** The scalars of {@code events} with their steps, in order. */
    public static List<Point> points(List<Event> events) {
        List<Point> points = new ArrayList<>();
        events.forEach(e -> e.values().forEach(v -> points.add(new Point(v.tag(), e.step(), v.value()))));
        return points;
    }

    /** TensorFlow's {@code crc32c::Mask}: the CRC32C rotated right by 15 bits, plus 0xa282ead8. */
    static int masked(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        long value = crc.getValue();
        return (int) ((((value >>> 15) | (value << 17)) + 0xa282ead8L) & 0xffffffffL);
    }

    private static Event event(CodedInputStream in) throws IOException {
        double wallTime = 0;
        long step = 0;
        String fileVersion = null;
        int status = 0;
        List<Scalar> values = new ArrayList<>();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> wallTime = in.readDouble();
                case 2 -> step = in.readInt64();
                case 3 -> fileVersion = in.readString();
                case 5 -> values.addAll(summary(in.readBytes().newCodedInput()));
                case 7 -> status = sessionStatus(in.readBytes().newCodedInput());
                default -> in.skipField(tag);
            }
        }
        return new Event(wallTime, step, fileVersion, status, values);
    }

    private static List<Scalar> summary(CodedInputStream in) throws IOException {
        List<Scalar> values = new ArrayList<>();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (WireFormat.getTagFieldNumber(tag) == 1) {
                values.add(value(in.readBytes().newCodedInput()));
            } else {
                in.skipField(tag);
            }
        }
        return values;
    }

    private static Scalar value(CodedInputStream in) throws IOException {
        String name = null;
        float value = Float.NaN;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> name = in.readString();
                case 2 -> value = in.readFloat();
                default -> in.skipField(tag);
            }
        }
        return new Scalar(name, value);
    }

    private static int sessionStatus(CodedInputStream in) throws IOException {
        int status = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (WireFormat.getTagFieldNumber(tag) == 1) {
                status = in.readEnum();
            } else {
                in.skipField(tag);
            }
        }
        return status;
    }
}
