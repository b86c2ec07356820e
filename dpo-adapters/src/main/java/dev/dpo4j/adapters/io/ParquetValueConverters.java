package dev.dpo4j.adapters.io;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * parquet-java converters that build plain Java values: a STRUCT becomes a {@code Map} (every schema field present,
 * null when unset), a LIST (3-level, and the legacy 2-level forms) a {@code List}, a MAP a {@code Map}, strings
 * {@code String}, integers {@code Integer}/{@code Long}, floating point {@code Float}/{@code Double}, booleans
 * {@code Boolean}; other binaries are decoded as UTF-8 text.
 */
final class ParquetValueConverters {

    private ParquetValueConverters() {
    }

    /** Materializes one record as a {@code Map}. */
    static final class RowMaterializer extends RecordMaterializer<Map<String, Object>> {
        private final StructConverter root;
        private Map<String, Object> current;

        RowMaterializer(MessageType schema) {
            root = new StructConverter(schema, value -> current = castMap(value));
        }

        @Override
        public Map<String, Object> getCurrentRecord() {
            return current;
        }

        @Override
        public GroupConverter getRootConverter() {
            return root;
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object value) {
        return (Map<String, Object>) value;
    }

    static Converter forField(Type type, Consumer<Object> sink) {
        if (type.isPrimitive()) {
            return new ValueConverter(type.asPrimitiveType(), sink);
        }
        GroupType group = type.asGroupType();
        LogicalTypeAnnotation logical = group.getLogicalTypeAnnotation();
        if (type.isRepetition(Type.Repetition.REPEATED)) {
            // an unannotated repeated group outside a LIST: each occurrence is one element of a list
            return new StructConverter(group, sink);
        }
        if (logical instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation && group.getFieldCount() == 1) {
            return new ListConverter(group, sink);
        }
        if ((logical instanceof LogicalTypeAnnotation.MapLogicalTypeAnnotation
                || logical instanceof LogicalTypeAnnotation.MapKeyValueTypeAnnotation) && group.getFieldCount() == 1) {
            return new MapConverter(group, sink);
        }
        return new StructConverter(group, sink);
    }

    /** A STRUCT (or the record itself): fields by name into a LinkedHashMap. */
    static final class StructConverter extends GroupConverter {
        private final GroupType type;
        private final Consumer<Object> sink;
        private final Converter[] fields;
        private Map<String, Object> map;

        StructConverter(GroupType type, Consumer<Object> sink) {
            this.type = type;
            this.sink = sink;
            this.fields = new Converter[type.getFieldCount()];
            for (int i = 0; i < fields.length; i++) {
                Type field = type.getType(i);
                String name = field.getName();
                if (field.isRepetition(Type.Repetition.REPEATED)) {
                    // a bare repeated field: collect its values into a list under the field name
                    fields[i] = forField(field, value -> repeatedList(name).add(value));
                } else {
                    fields[i] = forField(field, value -> map.put(name, value));
                }
            }
        }

        @SuppressWarnings("unchecked")
        private List<Object> repeatedList(String name) {
            return (List<Object>) map.computeIfAbsent(name, k -> new ArrayList<>());
        }

        @Override
        public Converter getConverter(int fieldIndex) {
            return fields[fieldIndex];
        }

        @Override
        public void start() {
            map = new LinkedHashMap<>();
            for (Type field : type.getFields()) {
                map.put(field.getName(), field.isRepetition(Type.Repetition.REPEATED) ? new ArrayList<>() : null);
            }
        }

        @Override
        public void end() {
            sink.accept(map);
        }
    }

    /** A LIST-annotated group: {@code <list> { repeated group list { <element> } }} or a legacy 2-level form. */
    static final class ListConverter extends GroupConverter {
        private final Consumer<Object> sink;
        private final Converter repeated;
        private List<Object> list;

        ListConverter(GroupType type, Consumer<Object> sink) {
            this.sink = sink;
            Type repeatedType = type.getType(0);
            if (isElementWrapper(repeatedType, type.getName())) {
                repeated = new ElementWrapperConverter(repeatedType.asGroupType().getType(0), value -> list.add(value));
            } else {
                // 2-level: the repeated field is itself the element
                repeated = forElement(repeatedType, value -> list.add(value));
            }
        }

        private static Converter forElement(Type type, Consumer<Object> sink) {
            if (type.isPrimitive()) {
                return new ValueConverter(type.asPrimitiveType(), sink);
            }
            return new StructConverter(type.asGroupType(), sink);
        }

        /** The backward-compatibility rules of the Parquet LogicalTypes spec for LIST. */
        private static boolean isElementWrapper(Type repeated, String listName) {
            if (repeated.isPrimitive()) {
                return false;
            }
            GroupType group = repeated.asGroupType();
            return group.getFieldCount() == 1 && !group.getName().equals("array")
                    && !group.getName().equals(listName + "_tuple");
        }

        @Override
        public Converter getConverter(int fieldIndex) {
            return repeated;
        }

        @Override
        public void start() {
            list = new ArrayList<>();
        }

        @Override
        public void end() {
            sink.accept(list);
        }
    }

    /** The middle {@code repeated group list} of a 3-level list: one occurrence per element, null when unset. */
    static final class ElementWrapperConverter extends GroupConverter {
        private final Consumer<Object> sink;
        private final Converter element;
        private boolean seen;

        ElementWrapperConverter(Type elementType, Consumer<Object> sink) {
            this.sink = sink;
            this.element = forField(elementType, value -> {
                seen = true;
                sink.accept(value);
            });
        }

        @Override
        public Converter getConverter(int fieldIndex) {
            return element;
        }

        @Override
        public void start() {
            seen = false;
        }

        @Override
        public void end() {
            if (!seen) {
                sink.accept(null);
            }
        }
    }

    /** A MAP-annotated group: {@code repeated group key_value { key; value }} into a LinkedHashMap. */
    static final class MapConverter extends GroupConverter {
        private final Consumer<Object> sink;
        private final GroupConverter entries;
        private Map<String, Object> map;
        private Object key;
        private Object value;

        MapConverter(GroupType type, Consumer<Object> sink) {
            this.sink = sink;
            GroupType keyValue = type.getType(0).asGroupType();
            Converter keyConverter = forField(keyValue.getType(0), k -> key = k);
            Converter valueConverter = keyValue.getFieldCount() > 1
                    ? forField(keyValue.getType(1), v -> value = v) : null;
            entries = new GroupConverter() {
                @Override
                public Converter getConverter(int fieldIndex) {
                    return fieldIndex == 0 ? keyConverter : valueConverter;
                }

                @Override
                public void start() {
                    key = null;
                    value = null;
                }

                @Override
                public void end() {
                    map.put(String.valueOf(key), value);
                }
            };
        }

        @Override
        public Converter getConverter(int fieldIndex) {
            return entries;
        }

        @Override
        public void start() {
            map = new LinkedHashMap<>();
        }

        @Override
        public void end() {
            sink.accept(map);
        }
    }

    /**
     * Stands in for a STRING value that is not valid UTF-8, so the record is read to its end (the column readers
     * stay in step) and the row reader can then refuse or skip the row, naming the field.
     *
     * @param offset the 0-based offset of the first invalid byte
     */
    record InvalidUtf8(int offset) {
    }

    /** The first invalid UTF-8 value in a record (nested in lists and maps too), or null. */
    static InvalidUtf8 findInvalid(Object value) {
        if (value instanceof InvalidUtf8 invalid) {
            return invalid;
        }
        if (value instanceof Map<?, ?> map) {
            for (Object v : map.values()) {
                InvalidUtf8 found = findInvalid(v);
                if (found != null) {
                    return found;
                }
            }
        } else if (value instanceof List<?> list) {
            for (Object v : list) {
                InvalidUtf8 found = findInvalid(v);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /** A primitive column value. */
    static final class ValueConverter extends PrimitiveConverter {
        private final Consumer<Object> sink;
        private final boolean fixedBytes;
        private final CharsetDecoder strict;

        ValueConverter(PrimitiveType type, Consumer<Object> sink) {
            this.sink = sink;
            this.fixedBytes = type.getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY
                    || type.getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.INT96;
            LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
            boolean text = logical instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
                    || logical instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation
                    || logical instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation;
            this.strict = text && !fixedBytes ? TextFiles.strictDecoder() : null;
        }

        @Override
        public void addBinary(Binary value) {
            if (fixedBytes) {
                sink.accept(value.getBytes());
            } else if (strict == null) {
                sink.accept(new String(value.getBytes(), StandardCharsets.UTF_8));
            } else {
                ByteBuffer bytes = value.toByteBuffer();
                int start = bytes.position();
                try {
                    sink.accept(strict.reset().decode(bytes).toString());
                } catch (CharacterCodingException e) {
                    sink.accept(new InvalidUtf8(bytes.position() - start));
                }
            }
        }

        @Override
        public void addBoolean(boolean value) {
            sink.accept(value);
        }

        @Override
        public void addDouble(double value) {
            sink.accept(value);
        }

        @Override
        public void addFloat(float value) {
            sink.accept(value);
        }

        @Override
        public void addInt(int value) {
            sink.accept(value);
        }

        @Override
        public void addLong(long value) {
            sink.accept(value);
        }
    }
}
