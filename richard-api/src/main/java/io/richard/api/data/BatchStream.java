package io.richard.api.data;

import java.util.Iterator;

/** An iterator over mini-batches that may hold files or threads open until closed. */
public interface BatchStream extends Iterator<Batch>, AutoCloseable {

    /** Releases files and background readers; the default does nothing. */
    @Override
    default void close() {
    }
}
