package io.richard.nd4j;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import io.richard.api.spec.ModelSpec;
import io.richard.api.spec.NetworkSpec;
import io.richard.api.spec.OptimizerSpec;
import io.richard.api.spec.OutputLayerSpec;
import io.richard.api.train.EpochResult;
import io.richard.nd4j.data.IdxReader;
import io.richard.nd4j.data.InMemoryDataSet;
import io.richard.nd4j.train.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End-to-end learning on real MNIST: the subset the project ships (10,000 training and 2,000 test images of
 * the real data set, in richard-examples/data/mnist).
 */
class MnistLearningTest {

    private static InMemoryDataSet train;
    private static InMemoryDataSet test;

    @BeforeAll
    static void load() {
        Path dir = Path.of("..", "richard-examples", "data", "mnist");
        assertTrue(Files.isDirectory(dir), "the shipped MNIST subset is missing: " + dir.toAbsolutePath());
        train = IdxReader.loadMnist(dir, true, Integer.MAX_VALUE);
        test = IdxReader.loadMnist(dir, false, Integer.MAX_VALUE);
    }

    /** The reference README's network: 784 → 320 → 64 → 10, sigmoid, learnRate 0.1, mini-batches of 32. */
    @Test
    void referenceDenseNetworkReaches90PercentOnTheTestSet() {
        NetworkSpec layers = NetworkSpec.builder()
                .hyperparams(12, 10_000, 32)
                .dense(320, 0.1).dense(64, 0.1).output(10, 0.1);
        double accuracy = trainAndEvaluate(layers);
        assertTrue(accuracy >= 0.90, "dense test accuracy " + accuracy);
    }

    /** A small CNN: conv 8 of 3×3 → max pool 2×2 → dense 32 → output 10. */
    @Test
    void smallConvolutionalNetworkReaches90PercentOnTheTestSet() {
        NetworkSpec layers = NetworkSpec.builder()
                .hyperparams(3, 10_000, 32)
                .convolutional(8, 3, 3, 0.02).maxPooling(2, 2).dense(32, 0.1).output(10, 0.1);
        double accuracy = trainAndEvaluate(layers);
        assertTrue(accuracy >= 0.90, "CNN test accuracy " + accuracy);
    }

    /**
     * The reference's dense network with Adam (α 0.003) and a softmax output trained with cross-entropy: 2 epochs
     * reach the 90 % the reference's SGD needs 12 epochs for (90.6 % here; PyTorch's Adam and cross-entropy on the
     * same network, initial weights N(0, 0.1) and data, in its own shuffled order: 91.2 %).
     */
    @Test
    void adamWithSoftmaxAndCrossEntropyLearnsFasterThanTheReference() {
        NetworkSpec layers = NetworkSpec.builder()
                .hyperparams(2, 10_000, 32).optimizer(new OptimizerSpec.Adam())
                .dense(320, 0.003).dense(64, 0.003).output(new OutputLayerSpec(10, 0.003, "softmax", "crossEntropy"));
        double accuracy = trainAndEvaluate(layers);
        assertTrue(accuracy >= 0.90, "dense Adam + softmax test accuracy " + accuracy);
    }

    private static double trainAndEvaluate(NetworkSpec layers) {
        ModelSpec model = ModelSpec.of(train.classes(), train.shape(), IdxReader.MNIST_NORMALIZATION, layers);
        Network network = Network.create(model, 0);
        long start = System.nanoTime();
        List<EpochResult> epochs = Trainer.builder(network).shuffle(1).build().fit(train);
        Evaluation evaluation = network.evaluate(test, 500);
        System.out.printf("%s: costs %s, %s, %.1f s%n", layers.hiddenLayers().get(0).type(),
                epochs.stream().map(e -> String.format("%.4f", e.meanCost())).toList(), evaluation,
                (System.nanoTime() - start) / 1e9);
        return evaluation.accuracy();
    }
}
