package dev.dpo4j.adapters.io;

import java.util.Iterator;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/** Turns a closeable row cursor into a lazy, sequential {@link Stream} that closes the file when closed. */
final class RowStreams {

    private RowStreams() {
    }

    static <T> Stream<T> of(Iterator<T> iterator, AutoCloseable resource) {
        return StreamSupport.stream(
                Spliterators.spliteratorUnknownSize(iterator, Spliterator.ORDERED | Spliterator.NONNULL), false)
                .onClose(() -> {
                    try {
                        resource.close();
                    } catch (Exception e) {
                        throw new IllegalStateException("could not close " + resource, e);
                    }
                });
    }
}
