package io.richard.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import io.richard.api.spec.ModelSpec;
import io.richard.nd4j.Evaluation;
import io.richard.nd4j.Network;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A short run on local-cluster[2,1,1024]: two executor JVMs, so that every broadcast, task, result and the
 * executors' ND4J are real, serialised and separate (in local[N] the tasks share the driver's objects). It uses
 * Spark's test mode, which the module's Surefire settings turn on (SPARK_TESTING, spark.testing): the executors get
 * this JVM's class path. 20–30 s, most of it the executor JVMs starting and loading ND4J.
 */
class LocalClusterTest {

    @AfterAll
    static void stop() {
        LocalSpark.stop();
    }

    private static Network train(JavaSparkContext sc, ModelSpec model, Evaluation[] evaluation) {
        Network network = Network.create(model, 3);
        SparkTrainer trainer = SparkTrainer.builder(network, sc).partitions(2).averageEvery(4).shuffle(5).build();
        try (SparkDataSet data = trainer.read("file://" + SparkTrainerTest.MNIST, SparkDataSet.Role.TRAIN, 400);
             SparkDataSet test = trainer.read("file://" + SparkTrainerTest.MNIST, SparkDataSet.Role.TEST, 500)) {
            assertArrayEquals(new int[] {200, 200}, data.partitionSizes());
            trainer.fit(data);
            evaluation[0] = trainer.evaluate(test);
        }
        return network;
    }

    /** Two executor JVMs train exactly what two threads of this JVM train: the same parameters, bit for bit. */
    @Test
    void twoExecutorJvmsTrainAsLocalModeDoes() {
        ModelSpec model = SparkTrainerTest.smallCnn(2, 0.3);
        Evaluation[] cluster = new Evaluation[1];
        JavaSparkContext sc = LocalSpark.context("local-cluster[2,1,1024]");
        long deadline = System.nanoTime() + 120_000_000_000L;                 // the executor JVMs start
        while (sc.sc().getExecutorMemoryStatus().size() < 3 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        assertEquals(2, sc.sc().getExecutorMemoryStatus().size() - 1, "two executors besides the driver");
        List<String> executors = sc.parallelize(List.of(1, 2, 3, 4), 4)
                .map(x -> java.lang.management.ManagementFactory.getRuntimeMXBean().getName()).distinct().collect();
        assertEquals(2, executors.size(), "tasks ran in two JVMs: " + executors);
        float[] distributed = Parameters.of(train(sc, model, cluster));

        Evaluation[] local = new Evaluation[1];
        float[] threads = Parameters.of(train(LocalSpark.context("local[2]"), model, local));
        assertArrayEquals(threads, distributed);
        assertEquals(local[0].correct(), cluster[0].correct());
        assertTrue(cluster[0].samples() == 500);
    }
}
