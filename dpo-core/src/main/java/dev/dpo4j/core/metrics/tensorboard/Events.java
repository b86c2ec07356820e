package dev.dpo4j.core.metrics.tensorboard;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The {@code tensorflow.Event} messages of a scalar log, encoded field by field (the numbers of TensorBoard's
 * {@code event.proto} and {@code summary.proto}): the file version, a session start, and scalar summaries.
 */
final class Events {

    /** The version every events file starts with. */
    static final String FILE_VERSION = "brain.Event:2";

    // Event
    private static final int WALL_TIME = 1;
    private static final int STEP = 2;
    private static final int FILE_VERSION_FIELD = 3;
    private static final int SUMMARY = 5;
    private static final int SESSION_LOG = 7;
    // Summary and Summary.Value
    private static final int VALUE = 1;
    private static final int TAG = 1;
    private static final int SIMPLE_VALUE = 2;
    // SessionLog
    private static final int STATUS = 1;
    private static final int START = 1;

    private Events() {
    }

    /** The first event of a file: {@code file_version: "brain.Event:2"}. */
    static byte[] fileVersion(double wallTime) {
        return encode(wallTime, 0, FILE_VERSION_FIELD, null, FILE_VERSION);
    }

    /**
     * A {@code session_log { status: START }} at {@code step}: TensorBoard then drops the events of earlier files
     * at this step and after (what a crashed run logged past the checkpoint a resumed run starts from).
     */
    static byte[] sessionStart(double wallTime, long step) {
        return encode(wallTime, step, SESSION_LOG, message(o -> o.writeEnum(STATUS, START)), null);
    }

    /** {@code summary { value { tag, simple_value } }} at {@code step}. */
    static byte[] scalar(double wallTime, long step, String tag, float value) {
        byte[] entry = message(o -> {
            o.writeString(TAG, tag);
            o.writeFloat(SIMPLE_VALUE, value);
        });
        return encode(wallTime, step, SUMMARY, message(o -> o.writeByteArray(VALUE, entry)), null);
    }

    private static byte[] encode(double wallTime, long step, int field, byte[] message, String text) {
        return message(o -> {
            o.writeDouble(WALL_TIME, wallTime);
            if (step != 0) {
                o.writeInt64(STEP, step);
            }
            if (text != null) {
                o.writeString(field, text);
            } else {
                o.writeByteArray(field, message);
            }
        });
    }

    private interface Fields {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] message(Fields fields) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            fields.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a TensorBoard event", e);
        }
    }
}
