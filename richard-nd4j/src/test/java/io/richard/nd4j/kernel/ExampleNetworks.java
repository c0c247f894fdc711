package io.richard.nd4j.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import io.richard.api.Parameter;
import io.richard.api.Shape;
import io.richard.api.spec.NetworkSpec;
import io.richard.nd4j.Network;
import io.richard.nd4j.data.InMemoryDataSet;

/**
 * The two example networks of richard-examples/configs (the dense one on [28, 28, 1] instead of [784, 1, 1]: the
 * same network) for one epoch of {@link #SAMPLES} samples, and MNIST-sized data to train them on.
 */
final class ExampleNetworks {

    static final Shape MNIST = new Shape(28, 28, 1);
    /** Three mini-batches of 32 and a partial one of 11: every shape a training epoch meets. */
    static final int SAMPLES = 3 * 32 + 11;

    private ExampleNetworks() {
    }

    /** configs/mnist-dense.yaml: 784 → 320 → 64 → 10, sigmoid, learnRate 0.1. */
    static NetworkSpec dense(int epochs) {
        return NetworkSpec.builder().hyperparams(epochs, SAMPLES, 32).dense(320, 0.1).dense(64, 0.1).output(10, 0.1);
    }

    /** configs/mnist-cnn.yaml: conv 32 3×3, pool 2×2, conv 64 4×4 (both convolution schedules), pool, 64, 10. */
    static NetworkSpec cnn(int epochs) {
        return NetworkSpec.builder().hyperparams(epochs, SAMPLES, 32)
                .convolutional(32, 3, 3, 0.01).maxPooling(2, 2).convolutional(64, 4, 4, 0.01).maxPooling(2, 2)
                .dense(64, 0.01).output(10, 0.01);
    }

    /** Sparse random images in [0, 1) (digits are mostly background), so that ReLUs and maxima vary. */
    static InMemoryDataSet data(long seed) {
        Random random = new Random(seed);
        float[][] samples = new float[SAMPLES][MNIST.size()];
        int[] labels = new int[SAMPLES];
        for (int n = 0; n < SAMPLES; n++) {
            for (int i = 0; i < MNIST.size(); i++) {
                samples[n][i] = random.nextFloat() < 0.2f ? random.nextFloat() : 0f;
            }
            labels[n] = n % 10;
        }
        return InMemoryDataSet.of(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), MNIST, samples, labels);
    }

    /** Every parameter of every layer, in order. */
    static List<Parameter> parameters(Network network) {
        List<Parameter> all = new ArrayList<>();
        network.layers().forEach(layer -> all.addAll(layer.parameters()));
        return all;
    }
}
