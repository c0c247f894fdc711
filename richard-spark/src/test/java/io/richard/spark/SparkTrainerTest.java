package io.richard.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import io.richard.api.Shape;
import io.richard.api.spec.ConvolutionalLayerSpec;
import io.richard.api.spec.DenseLayerSpec;
import io.richard.api.spec.ModelSpec;
import io.richard.api.spec.NetworkSpec;
import io.richard.api.spec.OptimizerSpec;
import io.richard.api.spec.OutputLayerSpec;
import io.richard.api.spec.ScheduleSpec;
import io.richard.api.spec.Size2D;
import io.richard.api.train.EpochResult;
import io.richard.nd4j.Evaluation;
import io.richard.nd4j.Network;
import io.richard.nd4j.data.IdxReader;
import io.richard.nd4j.data.InMemoryDataSet;
import io.richard.nd4j.train.Trainer;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Parameter averaging on local[2]: its semantics against the single-machine trainer, and evaluation. */
class SparkTrainerTest {

    static final Path MNIST = Path.of("../richard-examples/data/mnist").toAbsolutePath().normalize();

    @AfterAll
    static void stop() {
        LocalSpark.stop();
    }

    /**
     * A small CNN with every feature of the trainer: dropout in a convolutional and a dense layer, learning rates
     * decayed per epoch, a shuffle, an epoch of 250 of the 300 samples in mini-batches of 16 (the last one partial).
     */
    static ModelSpec smallCnn(int epochs) {
        return smallCnn(epochs, 0.1);
    }

    static ModelSpec smallCnn(int epochs, double rate) {
        return smallCnn(epochs, rate, OptimizerSpec.SGD);
    }

    static ModelSpec smallCnn(int epochs, double rate, OptimizerSpec optimizer) {
        NetworkSpec layers = NetworkSpec.builder().hyperparams(epochs, 250, 16).optimizer(optimizer)
                .layer(new ConvolutionalLayerSpec(4, new Size2D(3, 3), rate / 5, 0.9, 0.2))
                .maxPooling(2, 2)
                .layer(new DenseLayerSpec(24, rate, 0.8, 0.3))
                .output(new OutputLayerSpec(10, rate, 0.9));
        return ModelSpec.of(IdxReader.MNIST_CLASSES, new Shape(28, 28, 1), IdxReader.MNIST_NORMALIZATION, layers);
    }

    /**
     * One partition is the single-machine trainer, bit for bit at one thread, whatever averageEvery (1, a divisor
     * of nothing here, and more than an epoch): the same samples, order, dropout masks and learning rates. Each
     * averageEvery runs with another cache (the samples kept as ND4J arrays, serialised by Spark, or read again
     * every round), so every cache gives the single machine's result too.
     */
    @Test
    void onePartitionIsExactlySingleMachineTraining() {
        onePartitionIsExactlyTheTrainer(smallCnn(2), new int[] {1, 5, 40});
    }

    /**
     * The same with optimisers that keep state (momentum's velocities, Adam's moments and step count), which then
     * travels with the parameters from round to round.
     */
    @Test
    void onePartitionIsExactlySingleMachineTrainingWithMomentumAndAdam() {
        onePartitionIsExactlyTheTrainer(smallCnn(2, 0.1, new OptimizerSpec.Momentum(0.9, true)), new int[] {3});
        onePartitionIsExactlyTheTrainer(smallCnn(2, 0.01, new OptimizerSpec.Adam()), new int[] {7});
    }

    /**
     * The same with a learning-rate schedule (issue 19): the description the tasks rebuild their networks from keeps
     * it, and every round gets its epoch's factor as on one machine (cosine over the run's 2 epochs: 0.55 in the
     * second; a step of 0.5 every epoch).
     */
    @Test
    void onePartitionIsExactlySingleMachineTrainingWithASchedule() {
        for (ScheduleSpec schedule : List.of(new ScheduleSpec.Cosine(0.1), new ScheduleSpec.Step(1, 0.5))) {
            ModelSpec model = smallCnn(2, 0.1, new OptimizerSpec.Sgd());
            ModelSpec scheduled = ModelSpec.of(model.classes(), model.data().shape(), model.data().normalization(),
                    model.network().withSchedule(schedule));
            onePartitionIsExactlyTheTrainer(scheduled, new int[] {6});
        }
    }

    private static final SparkDataSet.Cache[] CACHES = SparkDataSet.Cache.values();

    private static void onePartitionIsExactlyTheTrainer(ModelSpec model, int[] averageEveries) {
        InMemoryDataSet local = IdxReader.load(MNIST.resolve("train-images-idx3-ubyte.gz"),
                MNIST.resolve("train-labels-idx1-ubyte.gz"), model.data(), 300);
        Network alone = Network.create(model, 3);
        Trainer single = Trainer.builder(alone).shuffle(5).build();
        List<EpochResult> expected = single.fit(local);
        float[] trained = Parameters.of(alone);

        JavaSparkContext sc = LocalSpark.context("local[2]");
        for (int i = 0; i < averageEveries.length; i++) {
            int averageEvery = averageEveries[i];
            SparkDataSet.Cache cache = CACHES[i % CACHES.length];
            Network network = Network.create(model, 3);
            List<RoundResult> rounds = new ArrayList<>();
            SparkTrainer trainer = SparkTrainer.builder(network, sc).partitions(1).averageEvery(averageEvery)
                    .cache(cache).shuffle(5).listener(new SparkTrainingListener() {
                        @Override
                        public void roundFinished(RoundResult round) {
                            rounds.add(round);
                        }
                    }).build();
            try (SparkDataSet data = trainer.read("file://" + MNIST, SparkDataSet.Role.TRAIN, 300)) {
                assertArrayEquals(new int[] {300}, data.partitionSizes());
                List<EpochResult> results = trainer.fit(data);
                assertEquals(cache, data.cache());
                assertArrayEquals(trained, Parameters.of(network), "averageEvery " + averageEvery + ", cache " + cache);
                assertEquals(expected.size(), results.size());
                for (int e = 0; e < results.size(); e++) {
                    assertEquals(expected.get(e).samples(), results.get(e).samples());
                    assertEquals(expected.get(e).meanCost(), results.get(e).meanCost(), 1e-12);
                }
                int perEpoch = (16 + averageEvery - 1) / averageEvery;          // 16 mini-batches (250 / 16)
                assertEquals(2 * perEpoch, rounds.size());
                assertEquals(250, rounds.stream().filter(r -> r.epoch() == 0).mapToInt(RoundResult::samples).sum());
                assertEquals(2L * 4 * network.parameterCount(), rounds.get(0).bytes());
                // the optimiser's state too: what a checkpoint would hold is the single machine's
                assertEquals(single.state().optimizerState().keySet(), trainer.state().optimizerState().keySet());
                single.state().optimizerState().forEach((name, value) -> assertEquals(value,
                        trainer.state().optimizerState().get(name), name));
            }
        }
    }

    /**
     * The memory cache reads the files once, in {@link SparkTrainer#read}: every round's task then trains on its
     * executor's arrays without reading its part again (Spark still asks for the partition's iterator); without a
     * cache every round reads the files (which shows that the count below sees the tasks' reads).
     */
    @Test
    void theMemoryCacheReadsTheFilesOnceAndNoCacheEveryRound() {
        JavaSparkContext sc = LocalSpark.context("local[2]");
        for (SparkDataSet.Cache cache : List.of(SparkDataSet.Cache.MEMORY, SparkDataSet.Cache.NONE)) {
            Network network = Network.create(smallCnn(1), 3);
            List<RoundResult> rounds = new ArrayList<>();
            SparkTrainer trainer = SparkTrainer.builder(network, sc).partitions(2).averageEvery(4).cache(cache)
                    .listener(new SparkTrainingListener() {
                        @Override
                        public void roundFinished(RoundResult round) {
                            rounds.add(round);
                        }
                    }).build();
            try (SparkDataSet data = trainer.read("file://" + MNIST, SparkDataSet.Role.TRAIN, 300)) {
                long before = localBytesRead();
                trainer.fit(data);
                long read = localBytesRead() - before;
                assertEquals(2, rounds.size());                            // 8 mini-batches of 16 per partition
                if (cache == SparkDataSet.Cache.MEMORY) {
                    assertEquals(0, read, "bytes read by the rounds with the memory cache");
                } else {
                    assertTrue(read > 0, "bytes read by the rounds without a cache: " + read);
                }
            }
        }
    }

    /** Bytes read so far through Hadoop's local file system (file://), by every thread of this JVM. */
    private static long localBytesRead() {
        org.apache.hadoop.fs.StorageStatistics statistics =
                org.apache.hadoop.fs.FileSystem.getGlobalStorageStatistics().get("file");
        Long bytes = statistics == null ? null : statistics.getLong("bytesRead");
        return bytes == null ? 0 : bytes;
    }

    /** Optimiser states average as the parameters do; counters (Adam's step) take the largest. */
    @Test
    void optimiserStatesAverageByTheSamplesAndCountersTakeTheLargest() {
        OptimizerState a = new OptimizerState(List.of("step", "m/W"), List.of(new long[] {1}, new long[] {2}),
                List.of(new double[] {7}, new double[] {1, 2}));
        OptimizerState b = new OptimizerState(List.of("step", "m/W"), List.of(new long[] {1}, new long[] {2}),
                List.of(new double[] {5}, new double[] {3, 6}));
        OptimizerState mean = OptimizerState.average(List.of(a, b), new double[] {0.75, 0.25});
        assertEquals(7, mean.values().get(0)[0]);
        assertArrayEquals(new double[] {1.5, 3}, mean.values().get(1));
        assertEquals(a, OptimizerState.average(List.of(a), new double[] {1}));
    }

    /** Several partitions: the shares, and an average that differs from one machine but learns. */
    @Test
    void partitionsShareEachEpochAndTheirAverageLearns() {
        assertArrayEquals(new int[] {100, 100, 50}, SparkTrainer.shares(new int[] {200, 200, 100}, 250));
        assertArrayEquals(new int[] {3, 3, 4}, SparkTrainer.shares(new int[] {3, 3, 4}, 10));
        assertArrayEquals(new int[] {2, 1, 1}, SparkTrainer.shares(new int[] {3, 3, 3}, 4));
        assertArrayEquals(new int[] {0, 5}, SparkTrainer.shares(new int[] {0, 9}, 5));
        assertEquals(16 + 16 + 10, SparkTrainer.samplesBefore(new int[] {40, 40, 10}, 2, 8));

        ModelSpec model = smallCnn(3, 0.3);
        JavaSparkContext sc = LocalSpark.context("local[2]");
        Network network = Network.create(model, 3);
        SparkTrainer trainer = SparkTrainer.builder(network, sc).partitions(3).averageEvery(4).shuffle(5).build();
        try (SparkDataSet data = trainer.read("file://" + MNIST, SparkDataSet.Role.TRAIN, 300);
             SparkDataSet test = trainer.read("file://" + MNIST, SparkDataSet.Role.TEST, 500)) {
            assertArrayEquals(new int[] {100, 100, 100}, data.partitionSizes());
            Evaluation before = trainer.evaluate(test);
            List<EpochResult> results = trainer.fit(data);
            assertEquals(3, results.size());
            assertTrue(results.get(2).meanCost() < results.get(0).meanCost(), results.toString());
            Evaluation after = trainer.evaluate(test);
            assertEquals(500, after.samples());
            assertTrue(after.accuracy() > before.accuracy(), before.accuracy() + " → " + after.accuracy());

            // the executors' evaluation is the single-machine one (the costs summed in another order)
            InMemoryDataSet local = IdxReader.load(MNIST.resolve("t10k-images-idx3-ubyte.gz"),
                    MNIST.resolve("t10k-labels-idx1-ubyte.gz"), model.data(), 500);
            Evaluation alone = network.evaluate(local, 256);
            assertEquals(alone.correct(), after.correct());
            assertArrayEquals(alone.confusion(), after.confusion());
            assertEquals(alone.totalCost(), after.totalCost(), 1e-9 * alone.totalCost());

            Network single = Network.create(model, 3);
            Trainer.builder(single).shuffle(5).build().fit(IdxReader.load(MNIST.resolve("train-images-idx3-ubyte.gz"),
                    MNIST.resolve("train-labels-idx1-ubyte.gz"), model.data(), 300));
            assertNotEquals(Parameters.of(single)[0], Parameters.of(network)[0]);
        }
        assertEquals(0, PartitionCache.size(), "the executors' copies are dropped");
    }
}
