package io.richard.nd4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import io.richard.api.Shape;
import io.richard.api.data.Batch;
import io.richard.api.data.BatchStream;
import io.richard.api.data.SampleOrder;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class InMemoryDataSetTest {

    private static final List<String> CLASSES = List.of("a", "b", "c");
    private static final Shape SHAPE = new Shape(2, 1, 1);

    /** Five samples; sample i is (i, 10·i) with class i mod 3. */
    private static InMemoryDataSet five() {
        float[][] samples = new float[5][];
        int[] labels = new int[5];
        for (int i = 0; i < 5; i++) {
            samples[i] = new float[] {i, 10 * i};
            labels[i] = i % 3;
        }
        return InMemoryDataSet.of(CLASSES, SHAPE, samples, labels);
    }

    private static List<Batch> drain(BatchStream stream) {
        List<Batch> batches = new ArrayList<>();
        try (stream) {
            stream.forEachRemaining(batches::add);
        }
        return batches;
    }

    /** The sample numbers a pass visits, read back from the first input column. */
    private static int[] visited(List<Batch> batches) {
        return batches.stream()
                .flatMapToInt(b -> Arrays.stream(b.x().getColumn(0).toIntVector()))
                .toArray();
    }

    @Test
    void skipMovesPastMiniBatchesAsNextWouldWithoutGatheringThem() {
        InMemoryDataSet data = five();
        for (SampleOrder order : List.of(SampleOrder.sequential(), SampleOrder.shuffled(7))) {
            for (int skipped = 0; skipped <= 4; skipped++) {
                try (BatchStream expected = data.transientBatches(2, 5, order);
                     BatchStream skipping = data.transientBatches(2, 5, order)) {
                    int samples = 0;
                    for (int b = 0; b < skipped && expected.hasNext(); b++) {
                        samples += expected.next().size();
                    }
                    assertEquals(samples, skipping.skip(skipped), order + ", skip " + skipped);
                    assertEquals(expected.hasNext(), skipping.hasNext());
                    while (expected.hasNext()) {
                        Batch e = expected.next();
                        Batch s = skipping.next();
                        assertArrayEquals(e.labels(), s.labels());
                        assertEquals(e.x(), s.x());
                    }
                    assertFalse(skipping.hasNext());
                }
            }
        }
        try (BatchStream stream = data.batches(2, 5, SampleOrder.sequential())) {
            assertThrows(IllegalArgumentException.class, () -> stream.skip(-1));
            assertEquals(0, stream.skip(0));
            assertEquals(5, stream.skip(Integer.MAX_VALUE));             // no overflow past the end
        }
    }

    @Test
    void transientBatchesHoldTheSameSamplesInReusedArrays() {
        InMemoryDataSet data = five();
        List<Batch> copies = new ArrayList<>();
        try (BatchStream stream = data.batches(2, 5, SampleOrder.shuffled(3))) {
            stream.forEachRemaining(copies::add);
        }
        List<INDArray> xs = new ArrayList<>();
        int b = 0;
        try (BatchStream stream = data.transientBatches(2, 5, SampleOrder.shuffled(3))) {
            while (stream.hasNext()) {
                Batch batch = stream.next();
                assertSameSamples(copies.get(b++), batch);
                xs.add(batch.x());
            }
        }
        assertEquals(copies.size(), b);
        assertTrue(xs.get(0) == xs.get(1), "full-size batches reuse one array");
        assertNotEquals(xs.get(1).rows(), xs.get(2).rows(), "the last, smaller batch has its own array");
    }

    @Test
    void longRunsOfConsecutiveTransientSamplesAreReadInPlace() {
        float[][] samples = new float[700][2];
        int[] labels = new int[700];
        for (int n = 0; n < samples.length; n++) {
            samples[n] = new float[] {n, -n};
            labels[n] = n % 3;
        }
        InMemoryDataSet data = InMemoryDataSet.of(List.of("a", "b", "c"), Shape.flat(2), samples, labels);
        List<Batch> copies = drain(data.batches(300, 700, SampleOrder.sequential()));
        int b = 0;
        try (BatchStream stream = data.transientBatches(300, 700, SampleOrder.sequential())) {
            while (stream.hasNext()) {
                Batch batch = stream.next();
                assertSameSamples(copies.get(b++), batch);
                // batches of 300 are views of the data set's rows; the last one, of 100, is gathered
                assertEquals(batch.size() >= 256, batch.x().isView(), "batch " + b + " of " + batch.size());
            }
        }
        assertEquals(3, b);
        try (BatchStream stream = data.transientBatches(300, 700, SampleOrder.shuffled(1))) {
            assertTrue(!stream.next().x().isView(), "shuffled samples are gathered");
        }
    }

    private static void assertSameSamples(Batch expected, Batch actual) {
        assertEquals(expected.x(), actual.x());
        assertEquals(expected.y(), actual.y());
        assertArrayEquals(expected.labels(), actual.labels());
    }

    @Test
    void sequentialBatchesHoldExactInputsTargetsAndLabels() {
        List<Batch> batches = drain(five().batches(2));

        assertEquals(List.of(2, 2, 1), batches.stream().map(Batch::size).toList());
        Batch first = batches.get(0);
        assertEquals(DataType.FLOAT, first.x().dataType());
        assertEquals(Nd4j.createFromArray(new float[][] {{0, 0}, {1, 10}}), first.x());
        assertEquals(Nd4j.createFromArray(new float[][] {{1, 0, 0}, {0, 1, 0}}), first.y());
        assertArrayEquals(new int[] {0, 1}, first.labels());
        Batch last = batches.get(2);
        assertEquals(Nd4j.createFromArray(new float[][] {{4, 40}}), last.x());
        assertEquals(Nd4j.createFromArray(new float[][] {{0, 1, 0}}), last.y());
        assertArrayEquals(new int[] {1}, last.labels());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, visited(batches));
    }

    @Test
    void limitTakesThePrefixAndTheLastBatchIsPartial() {
        InMemoryDataSet data = five();

        assertEquals(List.of(2, 1), drain(data.batches(2, 3, SampleOrder.sequential())).stream()
                .map(Batch::size).toList());
        assertArrayEquals(new int[] {0, 1, 2}, visited(drain(data.batches(2, 3, SampleOrder.sequential()))));
        assertEquals(List.of(3, 2), drain(data.batches(3, 1000, SampleOrder.sequential())).stream()
                .map(Batch::size).toList());
        assertEquals(List.of(5), drain(data.batches(5)).stream().map(Batch::size).toList());
        assertEquals(List.of(), drain(data.batches(2, 0, SampleOrder.sequential())));
    }

    @Test
    void streamEndsWithNoSuchElement() {
        BatchStream stream = five().batches(5);
        stream.next();
        assertFalse(stream.hasNext());
        assertThrows(NoSuchElementException.class, stream::next);
    }

    @Test
    void shuffledOrderIsADeterministicPermutationOfAllSamples() {
        InMemoryDataSet data = five();

        int[] order = visited(drain(data.batches(2, 5, SampleOrder.shuffled(42))));
        assertArrayEquals(order, visited(drain(data.batches(3, 5, SampleOrder.shuffled(42)))));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, Arrays.stream(order).sorted().toArray());
        // Fisher–Yates (i from n − 1 down to 1, swap i with nextInt(i + 1)) on java.util.Random, whose sequence the
        // Java specification fixes: these orders were worked out from that specification's formulas alone (its
        // 48-bit linear congruential generator), not by running this code, so they hold on every JVM
        assertArrayEquals(new int[] {1, 2, 3, 4, 0}, order);
        float[][] ten = new float[10][];
        for (int i = 0; i < 10; i++) {
            ten[i] = new float[] {i, 0};
        }
        InMemoryDataSet tenSamples = InMemoryDataSet.of(CLASSES, SHAPE, ten, new int[10]);
        assertArrayEquals(new int[] {0, 1, 9, 3, 7, 4, 8, 5, 2, 6},
                visited(drain(tenSamples.batches(4, 10, SampleOrder.shuffled(7)))));
    }

    @Test
    void shuffledBatchesKeepEachSampleWithItsLabel() {
        for (Batch batch : drain(five().batches(2, 5, SampleOrder.shuffled(7)))) {
            int[] samples = batch.x().getColumn(0).toIntVector();
            for (int n = 0; n < batch.size(); n++) {
                assertEquals(samples[n] % 3, batch.labels()[n]);
                assertEquals(1.0, batch.y().getDouble(n, samples[n] % 3));
                assertEquals(1.0, batch.y().getRow(n).sumNumber().doubleValue());
                assertEquals(10.0 * samples[n], batch.x().getDouble(n, 1));
            }
        }
    }

    @Test
    void shuffledLimitIsAPrefixOfTheFullPermutation() {
        int[] full = InMemoryDataSet.permutation(1000, 3);
        int[] sorted = full.clone();
        Arrays.sort(sorted);
        int[] identity = new int[1000];
        Arrays.setAll(identity, i -> i);
        assertArrayEquals(identity, sorted);
        assertFalse(Arrays.equals(identity, full));
        assertFalse(Arrays.equals(full, InMemoryDataSet.permutation(1000, 4)));

        InMemoryDataSet data = five();
        int[] all = visited(drain(data.batches(2, 5, SampleOrder.shuffled(11))));
        assertArrayEquals(Arrays.copyOf(all, 3), visited(drain(data.batches(2, 3, SampleOrder.shuffled(11)))));
    }

    @Test
    void differentSeedsGiveDifferentOrders() {
        float[][] samples = new float[50][];
        int[] labels = new int[50];
        for (int i = 0; i < 50; i++) {
            samples[i] = new float[] {i, 0};
        }
        InMemoryDataSet data = InMemoryDataSet.of(CLASSES, SHAPE, samples, labels);
        assertNotEquals(Arrays.toString(visited(drain(data.batches(8, 50, SampleOrder.shuffled(1))))),
                Arrays.toString(visited(drain(data.batches(8, 50, SampleOrder.shuffled(2))))));
    }

    @Test
    void batchesAreCopiesThatDoNotWriteThrough() {
        InMemoryDataSet data = five();
        drain(data.batches(5)).get(0).x().assign(-1);
        assertEquals(Nd4j.createFromArray(new float[][] {{0, 0}, {1, 10}, {2, 20}, {3, 30}, {4, 40}}),
                data.features());
    }

    @Test
    void subsetStreamsItsOwnRange() {
        InMemoryDataSet subset = five().subset(1, 3);

        assertEquals(3, subset.size());
        assertArrayEquals(new int[] {1, 2, 0}, subset.labels());
        List<Batch> batches = drain(subset.batches(2));
        assertEquals(Nd4j.createFromArray(new float[][] {{1, 10}, {2, 20}}), batches.get(0).x());
        assertEquals(Nd4j.createFromArray(new float[][] {{3, 30}}), batches.get(1).x());
        int[] shuffled = visited(drain(subset.batches(2, 3, SampleOrder.shuffled(5))));
        assertArrayEquals(new int[] {1, 2, 3}, Arrays.stream(shuffled).sorted().toArray());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> five().subset(3, 3));
        assertEquals("subset of 3 samples from sample 3 does not fit in a data set of 5 samples", e.getMessage());
    }

    @Test
    void castToFloat64StreamsFloat64InputsAndTargets() {
        InMemoryDataSet original = five();
        InMemoryDataSet doubles = original.castTo(DataType.DOUBLE);

        assertEquals(DataType.DOUBLE, doubles.dataType());
        assertEquals(DataType.FLOAT, original.dataType());
        Batch batch = drain(doubles.batches(5)).get(0);
        assertEquals(DataType.DOUBLE, batch.x().dataType());
        assertEquals(DataType.DOUBLE, batch.y().dataType());
        assertEquals(Nd4j.createFromArray(new double[][] {{0, 0}, {1, 10}, {2, 20}, {3, 30}, {4, 40}}), batch.x());
        assertEquals(Nd4j.createFromArray(new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 0, 0}, {0, 1, 0}}),
                batch.y());
        assertThrows(IllegalArgumentException.class, () -> original.castTo(DataType.INT32));
    }

    @Test
    void castToTheSameTypeIsAnIndependentCopy() {
        InMemoryDataSet original = five();
        InMemoryDataSet copy = original.castTo(DataType.FLOAT);
        assertEquals(original.features(), copy.features());
        assertArrayEquals(original.labels(), copy.labels());
        assertEquals(original.classes(), copy.classes());
        assertEquals(original.shape(), copy.shape());
    }

    @Test
    void constructorRejectsInconsistentData() {
        INDArray threeByTwo = Nd4j.zeros(DataType.FLOAT, 3, 2);

        assertEquals("features have 3 rows but there are 2 labels; every sample needs exactly one label",
                assertThrows(IllegalArgumentException.class,
                        () -> new InMemoryDataSet(threeByTwo, new int[] {0, 1}, CLASSES, SHAPE)).getMessage());
        assertEquals("features have 2 columns but shape [3, 1, 1] has 3 values per sample",
                assertThrows(IllegalArgumentException.class,
                        () -> new InMemoryDataSet(threeByTwo, new int[] {0, 1, 2}, CLASSES, Shape.flat(3)))
                        .getMessage());
        assertEquals("label of sample 2 is class index 3, outside [0, 3) for classes [a, b, c]",
                assertThrows(IllegalArgumentException.class,
                        () -> new InMemoryDataSet(threeByTwo, new int[] {0, 1, 3}, CLASSES, SHAPE)).getMessage());
        assertEquals("label of sample 0 is class index -1, outside [0, 3) for classes [a, b, c]",
                assertThrows(IllegalArgumentException.class,
                        () -> new InMemoryDataSet(threeByTwo, new int[] {-1, 1, 2}, CLASSES, SHAPE)).getMessage());
        assertEquals("features must be floating point, got " + DataType.INT32,
                assertThrows(IllegalArgumentException.class,
                        () -> new InMemoryDataSet(Nd4j.zeros(DataType.INT32, 3, 2), new int[3], CLASSES, SHAPE))
                        .getMessage());
        assertEquals("features must be a matrix (N, W·H·D), got shape [2, 3, 2]",
                assertThrows(IllegalArgumentException.class,
                        () -> new InMemoryDataSet(Nd4j.zeros(DataType.FLOAT, 2, 3, 2), new int[2], CLASSES, SHAPE))
                        .getMessage());
    }

    @Test
    void batchesRejectBadArguments() {
        InMemoryDataSet data = five();
        assertEquals("batch size must be positive, got 0", assertThrows(IllegalArgumentException.class,
                () -> data.batches(0, 5, SampleOrder.sequential())).getMessage());
        assertEquals("sample limit must not be negative, got -1", assertThrows(IllegalArgumentException.class,
                () -> data.batches(2, -1, SampleOrder.sequential())).getMessage());
    }

    @Test
    void labelsAreDefensiveCopies() {
        int[] labels = {0, 1};
        InMemoryDataSet data = InMemoryDataSet.of(CLASSES, SHAPE, new float[][] {{0, 0}, {1, 1}}, labels);
        labels[0] = 2;
        data.labels()[1] = 2;
        assertArrayEquals(new int[] {0, 1}, data.labels());
        assertEquals(1, data.label(1));
        assertTrue(data.toString().contains("2 samples of shape [2, 1, 1]"));
    }
}
