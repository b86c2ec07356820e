package dev.dpo4j.adapters.io;

import dev.dpo4j.api.data.DatasetRow;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/**
 * Reads dataset rows lazily from Parquet, JSON Lines and JSON array files ({@code .gz} for the JSON ones): a row is
 * parsed only when asked for, so a file of any size needs memory for one row (one Parquet row group's pages).
 * Close the returned streams (try-with-resources) to release the files.
 */
public final class DatasetReader {

    private DatasetReader() {
    }

    /** The rows of one file, failing at the first malformed row. */
    public static Stream<DatasetRow> read(Path file) {
        return read(file, BadRowHandler.STRICT);
    }

    /** The rows of one file; rows that cannot be parsed go to the handler, which may skip them. */
    public static Stream<DatasetRow> read(Path file, BadRowHandler badRows) {
        switch (DatasetFiles.format(file)) {
            case PARQUET:
                return ParquetRowReader.open(file, badRows);
            case JSON_LINES:
                return JsonLinesReader.open(file, badRows);
            default:
                return JsonArrayReader.open(file, badRows);
        }
    }

    /**
     * The rows of the files under the given paths (see {@link DatasetFiles#resolve}) one file after the other; only
     * one file is open at a time.
     */
    public static Stream<DatasetRow> readAll(List<Path> paths, BadRowHandler badRows) {
        List<Path> files = DatasetFiles.resolve(paths);
        Concatenation rows = new Concatenation(files, badRows);
        return RowStreams.of(rows, rows);
    }

    /** Iterates file after file, opening each only when the previous one is exhausted. */
    private static final class Concatenation implements Iterator<DatasetRow>, AutoCloseable {
        private final Iterator<Path> files;
        private final BadRowHandler badRows;
        private Stream<DatasetRow> open;
        private Iterator<DatasetRow> current;

        Concatenation(List<Path> files, BadRowHandler badRows) {
            this.files = files.iterator();
            this.badRows = badRows;
        }

        @Override
        public boolean hasNext() {
            while (current == null || !current.hasNext()) {
                close();
                if (!files.hasNext()) {
                    return false;
                }
                open = read(files.next(), badRows);
                current = open.iterator();
            }
            return true;
        }

        @Override
        public DatasetRow next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return current.next();
        }

        @Override
        public void close() {
            if (open != null) {
                Stream<DatasetRow> toClose = open;
                open = null;
                current = null;
                toClose.close();
            }
        }
    }
}
