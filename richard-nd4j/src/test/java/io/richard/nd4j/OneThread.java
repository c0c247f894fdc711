package io.richard.nd4j;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs a test class with one BLAS thread, the setting under which resumed training is promised to be
 * bit-identical, and restores the previous count afterwards. (It also asks ND4J's own pool for one thread, which
 * ND4J 1.0.0-M2.1 ignores; that pool is sized by OMP_NUM_THREADS, which the build sets for the tests.)
 */
public final class OneThread implements BeforeAllCallback, AfterAllCallback {

    private int threads;
    private int masterThreads;

    @Override
    public void beforeAll(ExtensionContext context) {
        threads = Nd4j.getEnvironment().maxThreads();
        masterThreads = Nd4j.getEnvironment().maxMasterThreads();
        set(1, 1);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        set(threads, masterThreads);
    }

    private static void set(int threads, int masterThreads) {
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(masterThreads);
        Nd4j.factory().blas().setMaxThreads(threads);
    }
}
