package dev.dpo4j.adapters.io;

import dev.dpo4j.api.data.DataFormatException;
import dev.dpo4j.api.data.DatasetRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;

/**
 * Streams the rows of a Parquet file through parquet-java's column readers, one row group at a time, without
 * Hadoop ({@link LocalInputFile}, {@link PlainParquetConfiguration}). Nested LIST and STRUCT columns become Lists
 * and Maps (see {@link ParquetValueConverters}). The footer is checked first ({@link ParquetFooterCheck}), so sizes
 * in a damaged file are refused with the file's name instead of being allocated.
 */
final class ParquetRowReader extends LookaheadRows implements AutoCloseable {

    private final String file;
    private final ParquetFileReader reader;
    private final MessageColumnIO columnIO;
    private final ParquetValueConverters.RowMaterializer materializer;
    private RecordReader<Map<String, Object>> records;
    private long remainingInGroup;
    private final BadRowHandler badRows;
    private long row;

    private ParquetRowReader(Path path, ParquetFileReader reader, BadRowHandler badRows) {
        this.file = path.toString();
        this.reader = reader;
        this.badRows = badRows;
        MessageType schema = reader.getFooter().getFileMetaData().getSchema();
        this.columnIO = new ColumnIOFactory().getColumnIO(schema);
        this.materializer = new ParquetValueConverters.RowMaterializer(schema);
    }

    static Stream<DatasetRow> open(Path path, BadRowHandler badRows) {
        ParquetFooterCheck.checkFooter(path);
        ParquetFileReader reader;
        try {
            ParquetReadOptions options = ParquetReadOptions.builder(new PlainParquetConfiguration())
                    .withCodecFactory(HadoopFreeCodecs.INSTANCE).build();
            reader = new ParquetFileReader(new LocalInputFile(path), options);
        } catch (IOException | RuntimeException e) {
            throw new DataFormatException(path.toString(), -1, null,
                    "is not a readable Parquet file: " + JsonLinesReader.rootMessage(e), e);
        }
        try {
            ParquetFooterCheck.checkChunks(path, Files.size(path), reader.getFooter().getBlocks());
        } catch (IOException | RuntimeException e) {
            closeQuietly(reader);
            throw e instanceof DataFormatException bad ? bad : new DataFormatException(path.toString(), -1, null,
                    "is not a readable Parquet file: " + JsonLinesReader.rootMessage(e), e);
        }
        ParquetRowReader cursor = new ParquetRowReader(path, reader, badRows);
        return RowStreams.of(cursor, cursor);
    }

    @Override
    public boolean hasNext() {
        while (next == null) {
            if (!nextGroup()) {
                return false;
            }
            next = readRecord();
        }
        return true;
    }

    /** Whether a record is left, reading the next row group when this one is done. */
    private boolean nextGroup() {
        while (remainingInGroup == 0) {
            try {
                PageReadStore pages = reader.readNextRowGroup();
                if (pages == null) {
                    return false;
                }
                remainingInGroup = pages.getRowCount();
                records = columnIO.getRecordReader(pages, materializer); // reads each column's first page
            } catch (IOException | RuntimeException e) {
                throw new DataFormatException(file, row, null, "could not read a Parquet row group: "
                        + JsonLinesReader.rootMessage(e), e);
            }
        }
        return true;
    }

    /** Reads the next record, handing rows with invalid UTF-8 strings to the bad-row handler. */
    private DatasetRow readRecord() {
        long index = row++;
        remainingInGroup--;
        Map<String, Object> record;
        try {
            record = records.read();
        } catch (RuntimeException e) {
            throw new DataFormatException(file, index, null, "could not decode the Parquet row: "
                    + JsonLinesReader.rootMessage(e), e);
        }
        for (Map.Entry<String, Object> field : record.entrySet()) {
            ParquetValueConverters.InvalidUtf8 invalid = ParquetValueConverters.findInvalid(field.getValue());
            if (invalid != null) {
                badRows.onBadRow(new DataFormatException(file, index, field.getKey(),
                        "invalid UTF-8 in a string (at byte " + invalid.offset() + ")"));
                return null;
            }
        }
        return new DatasetRow(file, index, record);
    }

    private static void closeQuietly(ParquetFileReader reader) {
        try {
            reader.close();
        } catch (IOException ignored) {
            // already failing
        }
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
