package dev.dpo4j.adapters;

import dev.dpo4j.adapters.io.BadRowHandler;
import dev.dpo4j.adapters.io.DatasetReader;
import dev.dpo4j.api.data.DataFormatException;
import dev.dpo4j.api.data.DatasetAdapter;
import dev.dpo4j.api.data.DatasetRow;
import dev.dpo4j.api.data.PreferenceExample;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A lazily read, re-iterable sequence of preference examples: every iteration re-reads the files, so nothing is held
 * in memory. After a lenient iteration completes, {@link #skipReport()} tells what was skipped (also logged as a
 * warning). Iterators close their file when exhausted; {@link #stream()} closes it when the stream is closed.
 */
public final class PreferenceDataset implements Iterable<PreferenceExample> {

    private static final System.Logger LOG = System.getLogger(PreferenceDataset.class.getName());

    private final DatasetAdapter adapter;
    private final List<Path> files;
    private final LoadOptions options;
    private final Predicate<DatasetRow> rowFilter;
    private volatile SkipReport lastReport = SkipReport.empty();

    PreferenceDataset(DatasetAdapter adapter, List<Path> files, LoadOptions options, Predicate<DatasetRow> rowFilter) {
        this.adapter = Objects.requireNonNull(adapter, "adapter");
        this.files = List.copyOf(files);
        this.options = Objects.requireNonNull(options, "options");
        this.rowFilter = Objects.requireNonNull(rowFilter, "rowFilter");
    }

    /** The data files, in reading order. */
    public List<Path> files() {
        return files;
    }

    /** The report of the last completed iteration (empty before one completes). */
    public SkipReport skipReport() {
        return lastReport;
    }

    @Override
    public Iterator<PreferenceExample> iterator() {
        return new ExampleIterator();
    }

    /** The examples as a sequential stream; close it to release the open file early. */
    public Stream<PreferenceExample> stream() {
        ExampleIterator iterator = new ExampleIterator();
        return StreamSupport.stream(spliterator(iterator), false).onClose(iterator::close);
    }

    private static java.util.Spliterator<PreferenceExample> spliterator(Iterator<PreferenceExample> iterator) {
        return java.util.Spliterators.spliteratorUnknownSize(iterator,
                java.util.Spliterator.ORDERED | java.util.Spliterator.NONNULL);
    }

    /** Reads the whole dataset once and returns the report, e.g. to check a file before training. */
    public SkipReport scan() {
        for (Iterator<PreferenceExample> it = iterator(); it.hasNext(); ) {
            it.next();
        }
        return lastReport;
    }

    private final class ExampleIterator implements Iterator<PreferenceExample>, AutoCloseable {
        private final SkipCollector skips = new SkipCollector(options.maxMessages());
        private final Stream<DatasetRow> stream;
        private final Iterator<DatasetRow> rows;
        private final Deque<PreferenceExample> pending = new ArrayDeque<>();
        private boolean finished;

        ExampleIterator() {
            BadRowHandler handler = options.lenient() ? error -> {
                skips.rows++;
                skips.skip(error);
            } : BadRowHandler.STRICT;
            stream = DatasetReader.readAll(files, handler);
            rows = stream.iterator();
        }

        @Override
        public boolean hasNext() {
            while (pending.isEmpty()) {
                if (finished) {
                    return false;
                }
                if (!rows.hasNext()) {
                    finish();
                    return false;
                }
                DatasetRow row = rows.next();
                if (!rowFilter.test(row)) {
                    continue;
                }
                skips.rows++;
                try {
                    List<PreferenceExample> examples = adapter.toExamples(row);
                    if (options.validate()) {
                        examples.forEach(example -> validate(row, example));
                    }
                    pending.addAll(examples);
                    skips.examples += examples.size();
                } catch (DataFormatException e) {
                    if (!options.lenient()) {
                        close();
                        throw e;
                    }
                    skips.skip(e);
                } catch (RuntimeException e) {
                    close();
                    throw new DataFormatException(row.source(), row.index(), null,
                            "the adapter failed: " + e, e);
                }
            }
            return true;
        }

        @Override
        public PreferenceExample next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return pending.poll();
        }

        private void finish() {
            finished = true;
            close();
            lastReport = skips.report();
            if (lastReport.skipped() > 0) {
                LOG.log(Level.WARNING, "dpo4j: " + lastReport.summary());
            }
        }

        @Override
        public void close() {
            finished = true;
            stream.close();
        }
    }

    private static void validate(DatasetRow row, PreferenceExample example) {
        if (example.chosenTurns().isEmpty() && example.chosen().isBlank()) {
            throw row.error("chosen", "is empty");
        }
        if (example.rejectedTurns().isEmpty() && example.rejected().isBlank()) {
            throw row.error("rejected", "is empty");
        }
        if (example.chosenMessages().equals(example.rejectedMessages())) {
            throw row.error("rejected", "is identical to 'chosen'");
        }
    }
}
