package io.richard.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import io.richard.api.spec.ModelSpec;
import io.richard.cli.ConfigReader;
import io.richard.cli.TrainingConfig;
import io.richard.nd4j.Evaluation;
import io.richard.nd4j.Network;
import io.richard.nd4j.data.IdxReader;
import io.richard.nd4j.data.InMemoryDataSet;
import io.richard.nd4j.train.Trainer;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The shipped dense MNIST example on local[2] learns as on one machine: within 2 points after the same epochs. */
class DenseExampleTest {

    static final Path EXAMPLES = Path.of("../richard-examples").toAbsolutePath().normalize();

    @AfterAll
    static void stop() {
        LocalSpark.stop();
    }

    /** MNIST's 28×28 images as the example's [784, 1, 1] samples (the same values in the same order). */
    static InMemoryDataSet flat(Path mnist, String prefix, ModelSpec model) {
        InMemoryDataSet images = IdxReader.load(mnist.resolve(prefix + "-images-idx3-ubyte.gz"),
                mnist.resolve(prefix + "-labels-idx1-ubyte.gz"), model.classes(), model.data().normalization());
        return new InMemoryDataSet(images.features(), images.labels(), model.classes(), model.data().shape());
    }

    @Test
    void denseExampleOnTwoPartitionsIsWithinTwoPointsOfOneMachine() {
        TrainingConfig config = ConfigReader.read(EXAMPLES.resolve("configs/mnist-dense.yaml"));
        ModelSpec model = config.model();
        Path mnist = config.training().data().orElseThrow();
        InMemoryDataSet train = flat(mnist, "train", model);
        InMemoryDataSet test = flat(mnist, "t10k", model);
        long t0 = System.nanoTime();
        Network alone = Network.create(model, 0);
        Trainer.builder(alone).build().fit(train);
        Evaluation expected = alone.evaluate(test, 256);
        long t1 = System.nanoTime();

        JavaSparkContext sc = LocalSpark.context("local[2]");
        Network network = Network.create(model, 0);
        SparkTrainer trainer = SparkTrainer.builder(network, sc).partitions(2).averageEvery(16).build();
        Evaluation evaluation;
        try (SparkDataSet data = trainer.read("file://" + mnist);
             SparkDataSet testData = trainer.read("file://" + mnist, SparkDataSet.Role.TEST, Integer.MAX_VALUE)) {
            assertEquals(10_000, data.size());
            trainer.fit(data);
            evaluation = trainer.evaluate(testData);
        }
        long t2 = System.nanoTime();
        System.out.printf("one machine %.4f (%.1f s), local[2] %.4f (%.1f s)%n", expected.accuracy(), (t1 - t0) / 1e9,
                evaluation.accuracy(), (t2 - t1) / 1e9);
        assertEquals(2000, evaluation.samples());
        assertTrue(Math.abs(evaluation.accuracy() - expected.accuracy()) <= 0.02,
                "one machine " + expected.accuracy() + ", local[2] " + evaluation.accuracy());
    }
}
