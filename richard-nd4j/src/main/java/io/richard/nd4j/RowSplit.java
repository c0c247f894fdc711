package io.richard.nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Inference on the rows of a large batch split between threads. Each part runs a forward pass on its own rows,
 * on its own thread, with the layers' inference buffers of that thread (layers keep one set per thread) and one
 * BLAS thread: the parts are independent, so two threads take about half the time of one, element-wise work
 * included — more than two BLAS threads on the whole batch give, since they share only the products (measured,
 * docs/performance.md).
 */
final class RowSplit implements AutoCloseable {

    /** Fewest rows a part is given: below this a thread of its own costs more than it saves. */
    static final long MIN_ROWS = 64;

    private static final ExecutorService POOL = Executors.newCachedThreadPool(body -> {
        Thread thread = new Thread(body, "richard-inference");
        thread.setDaemon(true);
        return thread;
    });

    private final int threads;
    private final BlasThreads blas;

    private RowSplit(int threads, BlasThreads blas) {
        this.threads = threads;
        this.blas = blas;
    }

    /**
     * A split between {@code threads} threads; with more than one, BLAS runs one thread per part until
     * {@link #close} (set once: changing OpenBLAS's thread count costs about 0.5 ms here).
     */
    static RowSplit open(int threads) {
        return new RowSplit(Math.max(1, threads), threads > 1 ? BlasThreads.single() : null);
    }

    /** Puts the BLAS thread count back. */
    @Override
    public void close() {
        if (blas != null) {
            blas.restore();
        }
    }

    /** One part's work: rows {@code from} to {@code to} − 1. */
    interface Task<T> {
        T run(long from, long to);
    }

    /** How many parts {@code rows} rows are split into with {@code threads} threads: at least 1. */
    static int parts(long rows, int threads) {
        return (int) Math.max(1, Math.min(threads, rows / MIN_ROWS));
    }

    /**
     * Runs {@code task} on consecutive row ranges covering {@code rows} rows, one per thread (part 0 on the calling
     * thread), and returns the results in row order. Every part ends before this returns, also when one fails;
     * the first failure is then thrown.
     */
    <T> List<T> map(long rows, Task<T> task) {
        int parts = parts(rows, threads);
        if (parts == 1) {
            return List.of(task.run(0, rows));
        }
        List<Future<T>> running = new ArrayList<>(parts - 1);
        for (int p = 1; p < parts; p++) {
            long from = rows * p / parts;
            long to = rows * (p + 1) / parts;
            running.add(POOL.submit(() -> task.run(from, to)));
        }
        List<T> results = new ArrayList<>(parts);
        RuntimeException failure = null;
        try {
            results.add(task.run(0, rows / parts));
        } catch (RuntimeException e) {
            failure = e;
        }
        for (Future<T> result : running) {
            try {
                results.add(await(result));
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
        return results;
    }

    /** The result of a part run on another thread; its failure rethrown as it was (errors too). */
    static <T> T await(Future<T> result) {
        try {
            return result.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a part of a batch", e);
        }
    }
}
