package io.richard.nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import io.richard.api.Shape;
import io.richard.api.spec.ModelSpec;
import io.richard.api.spec.NetworkSpec;
import io.richard.api.spec.Normalization;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A server using the library: 8 threads calling {@link Network#predict} and {@link Network#output} on one network at
 * the same time get what the same calls give one after another (up to float rounding: BLAS may sum in another
 * order when called from several threads) and the same classes.
 */
class ConcurrentPredictionTest {

    private static final int THREADS = 8;
    private static final int ROUNDS = 12;

    @Test
    void eightThreadsPredictExactlyWhatSequentialCallsPredict() throws Exception {
        NetworkSpec spec = NetworkSpec.builder().hyperparams(1, 100, 8).convolutional(4, 3, 3, 0.1).maxPooling(2, 2)
                .dense(12, 0.1).output(5, 0.1);
        ModelSpec model = ModelSpec.of(List.of("a", "b", "c", "d", "e"), new Shape(10, 8, 2), new Normalization(0, 1),
                spec);
        Network network = Network.create(model, 4);

        // each thread, each round: its own input, with batch sizes that differ between threads (1 to 8 rows)
        INDArray[][] inputs = new INDArray[THREADS][ROUNDS];
        INDArray[][] expectedOutputs = new INDArray[THREADS][ROUNDS];
        int[][][] expectedClasses = new int[THREADS][ROUNDS][];
        Nd4j.getRandom().setSeed(17);
        for (int t = 0; t < THREADS; t++) {
            for (int r = 0; r < ROUNDS; r++) {
                inputs[t][r] = Nd4j.rand(DataType.FLOAT, 1 + (t + r) % 8, model.inputShape().size());
                expectedOutputs[t][r] = network.output(inputs[t][r]);
                expectedClasses[t][r] = network.predict(inputs[t][r]);
            }
        }

        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CyclicBarrier start = new CyclicBarrier(THREADS);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    int checked = 0;
                    for (int r = 0; r < ROUNDS; r++) {
                        INDArray output = network.output(inputs[thread][r]);
                        int[] classes = network.predict(inputs[thread][r]);
                        assertEquals(expectedOutputs[thread][r], output, "thread " + thread + " round " + r);
                        // not bit for bit: BLAS may split a product differently when threads call it at once (the
                        // standard promises no summation order); another thread's rows or buffers would be off by
                        // far more than float rounding
                        assertTrue(expectedOutputs[thread][r].equalsWithEps(output, 1e-5f),
                                "thread " + thread + " round " + r + ": " + output);
                        assertSameClasses(expectedOutputs[thread][r], expectedClasses[thread][r], classes,
                                "thread " + thread + " round " + r);
                        checked++;
                    }
                    return checked;
                }));
            }
            int total = 0;
            for (Future<Integer> result : results) {
                total += result.get(120, TimeUnit.SECONDS);
            }
            assertEquals(THREADS * ROUNDS, total);
        } finally {
            pool.shutdownNow();
        }
    }

    /** The same classes, except where the expected outputs' two largest values are too close to order reliably. */
    private static void assertSameClasses(INDArray outputs, int[] expected, int[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int n = 0; n < expected.length; n++) {
            float[] row = outputs.getRow(n).toFloatVector();
            float[] sorted = row.clone();
            java.util.Arrays.sort(sorted);
            if (sorted[sorted.length - 1] - sorted[sorted.length - 2] > 1e-5f) {
                assertEquals(expected[n], actual[n], what + " row " + n);
            }
        }
    }
}
