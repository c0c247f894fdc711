package io.richard.nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import io.richard.api.Shape;
import io.richard.api.spec.ModelSpec;
import io.richard.api.spec.NetworkSpec;
import io.richard.api.spec.Normalization;
import io.richard.nd4j.data.InMemoryDataSet;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Inference with each batch's rows split between threads gives what one thread gives. */
class SplitInferenceTest {

    private static final List<String> CLASSES = List.of("a", "b", "c", "d");
    private static final Shape INPUT = new Shape(9, 7, 2);

    private static Network cnn() {
        NetworkSpec spec = NetworkSpec.builder().hyperparams(1, 100, 8).convolutional(5, 3, 2, 0.1).maxPooling(1, 2)
                .dense(12, 0.1).output(4, 0.1);
        Network network = Network.create(ModelSpec.of(CLASSES, INPUT, new Normalization(0, 1), spec), 3);
        Nd4j.getRandom().setSeed(5);
        network.layers().forEach(l -> l.parameters().forEach(p -> p.value().assign(
                Nd4j.randn(DataType.FLOAT, p.value().shape()).muli(0.5))));      // outputs far from ties
        return network;
    }

    private static InMemoryDataSet data(int samples) {
        Random random = new Random(11);
        float[][] x = new float[samples][INPUT.size()];
        int[] labels = new int[samples];
        for (int n = 0; n < samples; n++) {
            for (int i = 0; i < x[n].length; i++) {
                x[n][i] = random.nextFloat();
            }
            labels[n] = random.nextInt(CLASSES.size());
        }
        return InMemoryDataSet.of(CLASSES, INPUT, x, labels);
    }

    @Test
    void outputSplitBetweenThreeThreadsEqualsOneThread() {
        Network network = cnn();
        INDArray x = Nd4j.rand(DataType.FLOAT, 300, INPUT.size());
        INDArray one = network.output(x);
        INDArray three = network.output(x, 3);
        assertArrayEquals(one.shape(), three.shape());
        assertEquals(one, three);
        assertArrayEquals(network.predict(x), Network.argmax(three));
    }

    @Test
    void evaluationSplitBetweenThreadsCountsWhatOneThreadCounts() {
        Network network = cnn();
        InMemoryDataSet data = data(700);                 // batches of 256, 256 and 188 rows
        Evaluation one = network.evaluate(data, 256);
        for (int threads : new int[] {2, 3}) {
            Evaluation split = network.evaluate(data, 256, threads);
            assertEquals(one.samples(), split.samples());
            assertEquals(one.correct(), split.correct(), threads + " threads");
            assertArrayEquals(one.confusion(), split.confusion(), threads + " threads");
            assertEquals(one.totalCost(), split.totalCost(), 1e-5 * one.totalCost(), threads + " threads");
        }
        assertTrue(one.correct() > 0 && one.correct() < one.samples(), "a network with both right and wrong answers");
    }

    @Test
    void oneInputValuePerSampleSplitsToo() {
        // batches of ≥ 256 consecutive rows are views of the data set: the parts are views of those views, with a
        // dimension of length 1 here (one column)
        NetworkSpec spec = NetworkSpec.builder().hyperparams(1, 100, 8).dense(3, 0.1).output(2, 0.1);
        Network network = Network.create(ModelSpec.of(List.of("lo", "hi"), Shape.flat(1), new Normalization(0, 1),
                spec), 2);
        float[][] x = new float[600][1];
        int[] labels = new int[600];
        for (int n = 0; n < x.length; n++) {
            x[n][0] = (n % 37) / 37f;
            labels[n] = x[n][0] > 0.5f ? 1 : 0;
        }
        InMemoryDataSet data = InMemoryDataSet.of(List.of("lo", "hi"), Shape.flat(1), x, labels);
        Evaluation one = network.evaluate(data, 300);
        Evaluation two = network.evaluate(data, 300, 2);
        assertArrayEquals(one.confusion(), two.confusion());
        assertEquals(one.totalCost(), two.totalCost(), 1e-5 * one.totalCost());
        INDArray all = Nd4j.createFromArray(x).castTo(DataType.FLOAT);
        assertEquals(network.output(all), network.output(all, 2));
    }

    @Test
    void smallBatchesAreNotSplit() {
        assertEquals(1, RowSplit.parts(127, 2));
        assertEquals(2, RowSplit.parts(128, 2));
        assertEquals(3, RowSplit.parts(1000, 3));
        assertEquals(1, RowSplit.parts(1000, 1));
        assertEquals(1, RowSplit.parts(0, 4));
    }

    @Test
    void partsCoverTheRowsInOrderAndBlasThreadsComeBack() {
        int saved = Nd4j.factory().blas().getMaxThreads();
        Nd4j.factory().blas().setMaxThreads(2);
        try {
            List<long[]> ranges;
            List<Integer> blasSeen = Collections.synchronizedList(new ArrayList<>());
            try (RowSplit split = RowSplit.open(3)) {
                ranges = split.map(200, (p, from, to) -> {
                    blasSeen.add(Nd4j.factory().blas().getMaxThreads());
                    return new long[] {from, to};
                });
            }
            assertEquals(3, ranges.size());
            assertArrayEquals(new long[] {0, 66}, ranges.get(0));
            assertArrayEquals(new long[] {66, 133}, ranges.get(1));
            assertArrayEquals(new long[] {133, 200}, ranges.get(2));
            assertEquals(List.of(1, 1, 1), blasSeen, "one BLAS thread per part");
            assertEquals(2, Nd4j.factory().blas().getMaxThreads(), "BLAS threads put back");
        } finally {
            Nd4j.factory().blas().setMaxThreads(saved);
        }
    }

    @Test
    void aFailingPartFailsTheCallAfterEveryPartEnded() {
        List<Long> finished = Collections.synchronizedList(new ArrayList<>());
        IllegalStateException failure = new IllegalStateException("part 1 failed");
        try (RowSplit split = RowSplit.open(3)) {
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> split.map(300,
                    (p, from, to) -> {
                        if (from == 100) {
                            throw failure;
                        }
                        sleep(from == 200 ? 200 : 0);
                        finished.add(from);
                        return from;
                    }));
            assertSame(failure, thrown);
        }
        assertEquals(2, finished.size(), "parts 0 and 2 ran to their end before the call returned: " + finished);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
