package io.richard.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import io.richard.api.spec.ModelSpec;
import io.richard.api.train.EpochResult;
import io.richard.nd4j.Network;
import io.richard.nd4j.train.CheckpointInterval;
import io.richard.nd4j.train.TrainingState;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Faults: a task that fails once is retried and the round's result is the same; a driver that stops resumes
 * from the last round's checkpoint with the results of an uninterrupted run.
 */
class FaultTest {

    /** Attempts that failed on purpose (the tasks run in this JVM under local[N, F]). */
    static final AtomicInteger FAILED = new AtomicInteger();

    @AfterAll
    static void stop() {
        LocalSpark.stop();
    }

    private static float[] train(JavaSparkContext sc, ModelSpec model, SparkTrainer.TaskHook hook) {
        Network network = Network.create(model, 3);
        SparkTrainer.Builder builder = SparkTrainer.builder(network, sc).partitions(2).averageEvery(3).shuffle(5);
        if (hook != null) {
            builder.taskHook(hook);
        }
        SparkTrainer trainer = builder.build();
        try (SparkDataSet data = trainer.read("file://" + SparkTrainerTest.MNIST, SparkDataSet.Role.TRAIN, 200)) {
            trainer.fit(data);
        }
        return Parameters.of(network);
    }

    /**
     * Under local[2,2] (two attempts per task), partition 1's task of the second round of the second epoch throws
     * after training its mini-batches (its network's parameters are changed by then): Spark runs it again, which
     * starts again from the round's broadcast parameters, and the run ends with exactly the parameters of a run
     * without the failure.
     */
    @Test
    void aTaskThatFailsOnceIsRetriedAndTheRoundIsUnchanged() {
        ModelSpec model = SparkTrainerTest.smallCnn(2);
        JavaSparkContext sc = LocalSpark.context("local[2,2]");
        float[] expected = train(sc, model, null);
        FAILED.set(0);
        float[] retried = train(sc, model, (partition, epoch, firstBatch, attempt) -> {
            if (partition == 1 && epoch == 1 && firstBatch == 3 && attempt == 0) {
                FAILED.incrementAndGet();
                throw new IllegalStateException("a task that fails on purpose, once");
            }
        });
        assertEquals(1, FAILED.get(), "the task failed once, and its retry did not");
        assertArrayEquals(expected, retried);
    }

    /**
     * A driver stopped after a round resumes from the checkpoint written after it (its parameters and training
     * state) and ends with exactly the parameters of an uninterrupted run, here mid-epoch with shuffling and
     * dropout.
     */
    @Test
    void aStoppedDriverResumesFromTheLastRoundsCheckpoint() {
        ModelSpec model = SparkTrainerTest.smallCnn(2);
        JavaSparkContext sc = LocalSpark.context("local[2]");
        float[] expected = train(sc, model, null);

        // the first driver: a checkpoint after every round, stopped after the 4th. Each partition holds 100 samples,
        // 7 mini-batches of 16, so an epoch is 3 rounds (3, 3 and 1 mini-batches): the 4th is epoch 2's first
        // (and rounds of 3 mini-batches)
        Network first = Network.create(model, 3);
        List<TrainingState> states = new ArrayList<>();
        List<float[]> saved = new ArrayList<>();
        SparkTrainer[] running = new SparkTrainer[1];
        running[0] = SparkTrainer.builder(first, sc).partitions(2).averageEvery(3).shuffle(5)
                .checkpoint(CheckpointInterval.everyBatches(1), state -> {
                    states.add(state);
                    saved.add(Parameters.of(first));
                    if (states.size() == 4) {
                        running[0].requestStop();
                    }
                }).build();
        List<EpochResult> stopped;
        try (SparkDataSet data = running[0].read("file://" + SparkTrainerTest.MNIST, SparkDataSet.Role.TRAIN, 200)) {
            stopped = running[0].fit(data);
        }
        assertEquals(2, stopped.size());
        assertTrue(stopped.get(1).stopped());
        TrainingState checkpoint = states.get(states.size() - 1);
        assertEquals(1, checkpoint.epoch());
        assertEquals(3, checkpoint.batch());
        assertEquals(2 * 48, checkpoint.samples());
        assertEquals(checkpoint, running[0].state());

        // a new driver: a network holding the checkpoint's parameters, resumed at its state
        Network second = Network.create(model, 3);
        Parameters.assign(second, saved.get(saved.size() - 1));
        SparkTrainer resumed = SparkTrainer.builder(second, sc).partitions(2).averageEvery(3).resume(checkpoint).build();
        List<EpochResult> rest;
        try (SparkDataSet data = resumed.read("file://" + SparkTrainerTest.MNIST, SparkDataSet.Role.TRAIN, 200)) {
            rest = resumed.fit(data);
        }
        assertEquals(1, rest.size());
        assertEquals(200, rest.get(0).samples(), rest.toString());
        assertArrayEquals(expected, Parameters.of(second));
        assertNotEquals(0, expected.length);
    }
}
