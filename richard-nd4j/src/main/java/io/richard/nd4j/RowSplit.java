package io.richard.nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The rows of a batch split between threads: each part runs on its own thread (part 0 on the calling one) with
 * one BLAS thread, so that the parts do not compete for the BLAS pool. Inference splits large batches this way
 * ({@link Network#output(org.nd4j.linalg.api.ndarray.INDArray, int)}, {@link Evaluation}), and the trainer every
 * mini-batch ({@code io.richard.nd4j.train.DataParallelStep}): the parts are independent, element-wise work
 * included, which for the example CNN gains more than two BLAS threads on the whole batch, since those share only
 * the products. (For the dense example network, whose batches are mostly products, two BLAS threads measured as
 * fast warm and faster cold; docs/performance.md.)
 *
 * <p>It sits beside {@link Network}, below the training package: the network's split inference uses it, and
 * nothing the network uses may depend on training.
 */
public final class RowSplit implements AutoCloseable {

    /** Fewest rows an inference part is given: below this a thread of its own costs more than it saves. */
    static final long MIN_ROWS = 64;

    private static final ExecutorService POOL = Executors.newCachedThreadPool(body -> {
        Thread thread = new Thread(body, "richard-part");
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
    public static RowSplit open(int threads) {
        return new RowSplit(Math.max(1, threads), threads > 1 ? BlasThreads.single() : null);
    }

    /** Puts the BLAS thread count back. */
    @Override
    public void close() {
        if (blas != null) {
            blas.restore();
        }
    }

    /** One part's work: part {@code part}, rows {@code from} to {@code to} − 1. */
    public interface Task<T> {
        T run(int part, long from, long to);
    }

    /** How many parts inference splits {@code rows} rows into with {@code threads} threads: at least 1. */
    static int parts(long rows, int threads) {
        return (int) Math.max(1, Math.min(threads, rows / MIN_ROWS));
    }

    /** {@link #map(int, long, Task)} with as many parts as {@link #parts(long, int)} gives (inference). */
    <T> List<T> map(long rows, Task<T> task) {
        return map(parts(rows, threads), rows, task);
    }

    /**
     * Runs {@code task} on {@code parts} consecutive row ranges covering {@code rows} rows, one per thread (part 0
     * on the calling thread), and returns the results in row order. Every part ends before this returns, also
     * when one fails; the first failure is then thrown.
     */
    public <T> List<T> map(int parts, long rows, Task<T> task) {
        if (parts == 1) {
            return List.of(task.run(0, 0, rows));
        }
        List<Future<T>> running = new ArrayList<>(parts - 1);
        for (int p = 1; p < parts; p++) {
            int part = p;
            long from = rows * p / parts;
            long to = rows * (p + 1) / parts;
            running.add(POOL.submit(() -> task.run(part, from, to)));
        }
        List<T> results = new ArrayList<>(parts);
        RuntimeException failure = null;
        try {
            results.add(task.run(0, 0, rows / parts));
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
    private static <T> T await(Future<T> result) {
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
