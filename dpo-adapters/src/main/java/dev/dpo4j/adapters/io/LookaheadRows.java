package dev.dpo4j.adapters.io;

import dev.dpo4j.api.data.DatasetRow;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A reader's rows read one ahead: {@link #hasNext()} reads the next row into {@link #next} (or finds the end), and
 * {@link #next()} hands it out, the same for every file format.
 */
abstract class LookaheadRows implements Iterator<DatasetRow> {

    /** The row {@link #hasNext()} read and {@link #next()} has not handed out yet; null when none is waiting. */
    protected DatasetRow next;

    @Override
    public final DatasetRow next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        DatasetRow result = next;
        next = null;
        return result;
    }
}
