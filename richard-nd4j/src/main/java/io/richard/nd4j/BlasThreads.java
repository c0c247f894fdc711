package io.richard.nd4j;

import org.nd4j.linalg.factory.Nd4j;

/**
 * The BLAS pool's thread count, saved so that it can be put back: data-parallel training runs the products of
 * every part of a mini-batch on one thread, on that part's own Java thread.
 *
 * <p>ND4J's own pool (its element-wise kernels) cannot be resized at run time: in ND4J 1.0.0-M2.1
 * {@code Environment.setMaxThreads} has no effect (measured), its size comes from {@code OMP_NUM_THREADS} when the
 * native library loads. The richard launcher sets it to 1.
 */
final class BlasThreads {

    private final int saved;

    private BlasThreads(int saved) {
        this.saved = saved;
    }

    /** Saves the current count, then sets one thread; {@link #restore} puts the count back. */
    static BlasThreads single() {
        BlasThreads threads = new BlasThreads(Nd4j.factory().blas().getMaxThreads());
        if (threads.saved != 1) {
            Nd4j.factory().blas().setMaxThreads(1);      // about 0.5 ms: OpenBLAS resizes its pool
        }
        return threads;
    }

    void restore() {
        if (Nd4j.factory().blas().getMaxThreads() != saved) {
            Nd4j.factory().blas().setMaxThreads(saved);
        }
    }
}
