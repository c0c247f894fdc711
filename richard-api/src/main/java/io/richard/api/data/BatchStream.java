package io.richard.api.data;

import java.util.Iterator;

/** An iterator over mini-batches that may hold files or threads open until closed. */
public interface BatchStream extends Iterator<Batch>, AutoCloseable {

    /**
     * Passes over up to {@code count} mini-batches without handing them out (fewer if the stream ends first), as
     * {@code count} calls of {@code next()} would; returns the number of samples they held. A resumed training run
     * skips the mini-batches its checkpoint had done this way. The default calls {@code next()}; a stream that can
     * move its position without gathering the samples does so.
     */
    default int skip(int count) {
        int samples = 0;
        for (int i = 0; i < count && hasNext(); i++) {
            samples += next().size();
        }
        return samples;
    }

    /** Releases files and background readers; the default does nothing. */
    @Override
    default void close() {
    }
}
