package dev.dpo4j.adapters.testing;

import dev.dpo4j.adapters.io.HadoopFreeCodecs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.parquet.schema.Type;

/**
 * Writes Parquet test fixtures with parquet-java's example Group API, in the schemas that pyarrow gives the Hub's
 * datasets (3-level lists: {@code optional group x (LIST) { repeated group list { optional group element } }}).
 */
public final class ParquetFixtures {

    /** ultrafeedback_binarized (train_prefs) as pyarrow writes it. */
    public static final String ULTRAFEEDBACK = "message schema {\n"
            + "  optional binary prompt (STRING);\n"
            + "  optional binary prompt_id (STRING);\n"
            + "  optional group chosen (LIST) { repeated group list { optional group element {"
            + " optional binary content (STRING); optional binary role (STRING); } } }\n"
            + "  optional group rejected (LIST) { repeated group list { optional group element {"
            + " optional binary content (STRING); optional binary role (STRING); } } }\n"
            + "  optional double score_chosen;\n"
            + "  optional double score_rejected;\n"
            + "}";

    /** Intel/orca_dpo_pairs. */
    public static final String ORCA = "message schema {\n"
            + "  optional binary system (STRING);\n"
            + "  optional binary question (STRING);\n"
            + "  optional binary chosen (STRING);\n"
            + "  optional binary rejected (STRING);\n"
            + "}";

    /** berkeley-nest/Nectar (ranks as doubles, as in the Hub's Parquet conversion). */
    public static final String NECTAR = "message schema {\n"
            + "  optional binary prompt (STRING);\n"
            + "  optional group answers (LIST) { repeated group list { optional group element {"
            + " optional binary answer (STRING); optional binary model (STRING); optional double rank; } } }\n"
            + "  optional int64 turns;\n"
            + "  optional int64 num_responses;\n"
            + "  optional binary source (STRING);\n"
            + "  optional boolean good_natured;\n"
            + "}";

    private ParquetFixtures() {
    }

    /** Writes the rows (maps of String, Number, Boolean, List, Map) in the given schema, snappy-compressed. */
    public static Path write(Path file, String schemaText, List<Map<String, Object>> rows) {
        MessageType schema = MessageTypeParser.parseMessageType(schemaText);
        SimpleGroupFactory factory = new SimpleGroupFactory(schema);
        try (ParquetWriter<Group> writer = builder(file)
                .withType(schema)
                .withCompressionCodec(CompressionCodecName.SNAPPY)
                .withCodecFactory(HadoopFreeCodecs.INSTANCE)
                .withRowGroupSize(64L * 1024)
                .build()) {
            for (Map<String, Object> row : rows) {
                Group group = factory.newGroup();
                fill(group, schema, row);
                writer.write(group);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /**
     * {@code ExampleParquetWriter.builder(OutputFile)}, called reflectively: javac cannot pick between these and the
     * overloads taking Hadoop types without Hadoop on the class path, and this module has none.
     */
    private static ExampleParquetWriter.Builder builder(Path file) {
        try {
            MethodHandle builder = MethodHandles.publicLookup().findStatic(ExampleParquetWriter.class, "builder",
                    MethodType.methodType(ExampleParquetWriter.Builder.class, OutputFile.class));
            MethodHandle withConf = MethodHandles.publicLookup().findVirtual(ParquetWriter.Builder.class, "withConf",
                    MethodType.methodType(ParquetWriter.Builder.class, ParquetConfiguration.class));
            Object started = builder.invoke(new LocalOutputFile(file));
            return (ExampleParquetWriter.Builder) withConf.invoke(started, new PlainParquetConfiguration());
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static void fill(Group group, GroupType type, Map<String, Object> values) {
        for (Type field : type.getFields()) {
            Object value = values.get(field.getName());
            if (value != null) {
                add(group, field, value);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void add(Group group, Type field, Object value) {
        String name = field.getName();
        if (field.isPrimitive()) {
            switch (field.asPrimitiveType().getPrimitiveTypeName()) {
                case BINARY:
                    if (value instanceof byte[] bytes) {
                        group.add(name, Binary.fromConstantByteArray(bytes)); // raw bytes, even invalid UTF-8
                    } else {
                        group.add(name, (String) value);
                    }
                    break;
                case DOUBLE:
                    group.add(name, ((Number) value).doubleValue());
                    break;
                case INT64:
                    group.add(name, ((Number) value).longValue());
                    break;
                case INT32:
                    group.add(name, ((Number) value).intValue());
                    break;
                case BOOLEAN:
                    group.add(name, (Boolean) value);
                    break;
                default:
                    throw new IllegalArgumentException(field.toString());
            }
            return;
        }
        GroupType groupType = field.asGroupType();
        Group child = group.addGroup(name);
        if (value instanceof List) {
            GroupType repeated = groupType.getType(0).asGroupType();
            Type element = repeated.getType(0);
            for (Object item : (List<Object>) value) {
                Group wrapper = child.addGroup(repeated.getName());
                if (item != null) {
                    if (element.isPrimitive()) {
                        add(wrapper, element, item);
                    } else {
                        fill(wrapper.addGroup(element.getName()), element.asGroupType(), (Map<String, Object>) item);
                    }
                }
            }
        } else {
            fill(child, groupType, (Map<String, Object>) value);
        }
    }
}
