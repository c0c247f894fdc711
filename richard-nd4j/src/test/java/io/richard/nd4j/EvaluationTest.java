package io.richard.nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import io.richard.api.Parameter;
import io.richard.api.Shape;
import io.richard.api.spec.ModelSpec;
import io.richard.api.spec.NetworkSpec;
import io.richard.api.spec.Normalization;
import io.richard.nd4j.data.InMemoryDataSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Evaluation on a hand-made case: a 4-class output layer whose weights are 8·I predicts the class of its largest
 * input, so the data decide every prediction, and the confusion matrix, accuracy, precision, recall and mean cost
 * are counted here by hand.
 */
class EvaluationTest {

    private static final List<String> CLASSES = List.of("a", "b", "c", "dee-long-name");

    /** (actual, predicted) of each sample, in data order. */
    private static final int[][] CASES = {
        {0, 0}, {1, 2}, {0, 0}, {2, 2}, {0, 1}, {3, 1}, {1, 1}, {0, 0}, {1, 2}};

    // confusion[actual][predicted]:
    //              a  b  c  d
    //   actual a   3  1  0  0
    //   actual b   0  1  2  0
    //   actual c   0  0  1  0
    //   actual d   0  1  0  0
    private static final long[][] CONFUSION = {{3, 1, 0, 0}, {0, 1, 2, 0}, {0, 0, 1, 0}, {0, 1, 0, 0}};

    private static Network network() {
        return network(DataType.DOUBLE);
    }

    private static Network network(DataType type) {
        NetworkSpec spec = NetworkSpec.builder().hyperparams(1, 10, 2).output(4, 0.1);
        Network network = Network.create(ModelSpec.of(CLASSES, Shape.flat(4), new Normalization(0, 1), spec), 0,
                type);
        List<Parameter> parameters = network.layers().get(0).parameters();
        parameters.get(0).value().assign(Nd4j.eye(4).muli(8));
        parameters.get(1).value().assign(0);
        return network;
    }

    /** Sample s: 0.75 at its predicted class, 0.125 elsewhere (exact in float32). */
    private static InMemoryDataSet data() {
        float[][] x = new float[CASES.length][4];
        int[] labels = new int[CASES.length];
        for (int s = 0; s < CASES.length; s++) {
            for (int i = 0; i < 4; i++) {
                x[s][i] = i == CASES[s][1] ? 0.75f : 0.125f;
            }
            labels[s] = CASES[s][0];
        }
        return InMemoryDataSet.of(CLASSES, Shape.flat(4), x, labels);
    }

    /** ½‖y − σ(8x)‖² summed over the samples, (15). */
    private static double totalCost() {
        double total = 0;
        for (int[] c : CASES) {
            for (int i = 0; i < 4; i++) {
                double a = 1 / (1 + Math.exp(-8 * (i == c[1] ? 0.75 : 0.125)));
                double y = i == c[0] ? 1 : 0;
                total += 0.5 * (y - a) * (y - a);
            }
        }
        return total;
    }

    @ParameterizedTest(name = "batch size {0}, {1} thread(s)")
    @CsvSource({"4, 1", "9, 1", "1, 1", "100, 2", "3, 2"})
    void confusionMatrixRowsAreActualClassesColumnsPredictedOnes(int batchSize, int threads) {
        Evaluation e = network().evaluate(data(), batchSize, threads);
        assertEquals(9, e.samples());
        assertEquals(5, e.correct());
        assertArrayEquals(CONFUSION, e.confusion());
        assertEquals(5 / 9.0, e.accuracy(), 1e-15);
        assertEquals(totalCost(), e.totalCost(), 1e-12);
        assertEquals(totalCost() / 9, e.meanCost(), 1e-12);
        assertEquals(CLASSES, e.classes());
    }

    @Test
    void precisionIsOverAPredictedClassAndRecallOverAnActualOne() {
        Evaluation e = network().evaluate(data(), 4);
        // precision(c) = confusion[c][c] / Σ_actual confusion[actual][c] (the column: predicted as c)
        assertEquals(3 / 3.0, e.precision(0), 1e-15);
        assertEquals(1 / 3.0, e.precision(1), 1e-15);
        assertEquals(1 / 3.0, e.precision(2), 1e-15);
        assertTrue(Double.isNaN(e.precision(3)), "never predicted");
        // recall(c) = confusion[c][c] / Σ_predicted confusion[c][predicted] (the row: actually c)
        assertEquals(3 / 4.0, e.recall(0), 1e-15);
        assertEquals(1 / 3.0, e.recall(1), 1e-15);
        assertEquals(1 / 1.0, e.recall(2), 1e-15);
        assertEquals(0.0, e.recall(3), 0);
        // a class with no samples and no predictions has neither
        Evaluation none = new Evaluation(List.of("x", "y"), 2, 2, 0.5, new long[][] {{2, 0}, {0, 0}});
        assertTrue(Double.isNaN(none.recall(1)));
        assertTrue(Double.isNaN(none.precision(1)));
        assertEquals(1.0, none.precision(0), 0);
    }

    @Test
    void textShowsTheCountsAndTheMatrixRowByActualClass() {
        Evaluation e = network().evaluate(data(), 4);
        assertEquals(String.format("accuracy 0.5556 (5/9), mean cost %.6f", totalCost() / 9), e.toString());
        assertEquals(String.join("\n",
                "actual\\pred      a      b      c dee-l…",
                "a               3      1      0      0",
                "b               0      1      2      0",
                "c               0      0      1      0",
                "dee-l…          0      1      0      0",
                ""), e.confusionTable());
    }

    /**
     * The observer sees every sample once, in data order, with its label, its outputs σ(8x) and its predicted class;
     * batches of 4 on one thread, of 100 split between two threads (whole, as they are under 64 rows per thread).
     */
    @ParameterizedTest(name = "batch size {0}, {1} thread(s)")
    @CsvSource({"4, 1", "100, 2"})
    void anObserverSeesEverySamplesOutputsAndPredictionInOrder(int batchSize, int threads) {
        List<Integer> labels = new ArrayList<>();
        List<Integer> predicted = new ArrayList<>();
        List<double[]> outputs = new ArrayList<>();
        Evaluation e = Evaluation.of(network(), data(), batchSize, threads, (batch, from, a, classes) -> {
            assertEquals(classes.length, a.rows());
            for (int r = 0; r < classes.length; r++) {
                labels.add(batch.labels()[from + r]);
                predicted.add(classes[r]);
                outputs.add(a.getRow(r).toDoubleVector());
            }
        });
        assertArrayEquals(CONFUSION, e.confusion());
        assertEquals(CASES.length, labels.size());
        for (int s = 0; s < CASES.length; s++) {
            assertEquals(CASES[s][0], labels.get(s), "label of sample " + s);
            assertEquals(CASES[s][1], predicted.get(s), "prediction of sample " + s);
            for (int i = 0; i < 4; i++) {
                double a = 1 / (1 + Math.exp(-8 * (i == CASES[s][1] ? 0.75 : 0.125)));
                assertEquals(a, outputs.get(s)[i], 1e-12, "output " + i + " of sample " + s);
            }
        }
    }

    /**
     * Networks of either precision evaluated one after the other on one thread, in one batch of the whole set each:
     * the work array the thread keeps for the output gradient between evaluations then has the same shape every
     * time, but not the same type. Each has the cost counted by hand, to its precision.
     */
    @Test
    void oneThreadEvaluatesNetworksOfEitherPrecisionOneAfterTheOther() {
        for (DataType type : List.of(DataType.DOUBLE, DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT)) {
            Evaluation e = network(type).evaluate(data(), 9);
            assertArrayEquals(CONFUSION, e.confusion(), type.toString());
            assertEquals(totalCost(), e.totalCost(), type == DataType.DOUBLE ? 1e-12 : 1e-6, type.toString());
        }
    }

    /**
     * A thread that never evaluated before (each thread keeps its own work array for the output gradient, made on
     * its first evaluation) gives the hand-counted answer, with a last mini-batch smaller than the others (9 = 4 +
     * 4 + 1).
     */
    @Test
    void aThreadThatNeverEvaluatedCountsAsByHand() throws Exception {
        AtomicReference<Object> result = new AtomicReference<>();
        Thread fresh = new Thread(() -> {
            try {
                result.set(network().evaluate(data(), 4));
            } catch (RuntimeException e) {
                result.set(e);
            }
        });
        fresh.start();
        fresh.join();
        if (!(result.get() instanceof Evaluation e)) {
            throw new AssertionError("the evaluation on a new thread failed", (Throwable) result.get());
        }
        assertArrayEquals(CONFUSION, e.confusion());
        assertEquals(totalCost(), e.totalCost(), 1e-12);
    }

    /** Labels of up to 6 characters fill the 6-wide columns as they are; longer ones keep 5 characters and "…". */
    @Test
    void theTableShortensOnlyLabelsLongerThanSixCharacters() {
        Evaluation e = new Evaluation(List.of("kitten", "puppies"), 5, 3, 1.0, new long[][] {{2, 1}, {1, 1}});
        assertEquals(String.join("\n",
                "actual\\pred kitten puppi…",
                "kitten          2      1",
                "puppi…          1      1",
                ""), e.confusionTable());
    }

    @Test
    void anEmptySetHasNoAccuracyAndNoCost() {
        Evaluation e = new Evaluation(CLASSES, 0, 0, 0, new long[4][4]);
        assertTrue(Double.isNaN(e.accuracy()));
        assertTrue(Double.isNaN(e.meanCost()));
        Evaluation one = new Evaluation(CLASSES, 4, 1, 2.0, new long[4][4]);
        assertEquals(0.25, one.accuracy(), 0);
        assertEquals(0.5, one.meanCost(), 0);
    }
}
