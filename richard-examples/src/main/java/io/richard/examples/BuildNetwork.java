package io.richard.examples;

import io.richard.api.Shape;
import io.richard.api.spec.ModelSpec;
import io.richard.api.spec.NetworkSpec;
import io.richard.nd4j.Network;
import io.richard.nd4j.data.IdxReader;
import io.richard.nd4j.layer.DenseLayer;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Example 1: define the reference README's dense MNIST network in code and look at it.
 *
 * <pre>mvn -q -pl richard-examples exec:java -Dexec.mainClass=io.richard.examples.BuildNetwork</pre>
 */
public final class BuildNetwork {

    private BuildNetwork() {
    }

    /**
     * The reference README's MNIST network: 784 inputs → dense 320 → dense 64 → output 10, sigmoid everywhere,
     * learning rate 0.1 for every layer, gradients summed over mini-batches of 32.
     *
     * @param epochs          passes over the data
     * @param samplesPerEpoch the reference's {@code batchSize}: how many samples one epoch consumes
     */
    public static ModelSpec denseMnist(int epochs, int samplesPerEpoch) {
        NetworkSpec layers = NetworkSpec.builder()
                .hyperparams(epochs, samplesPerEpoch, 32)   // epochs, samples per epoch, mini-batch size
                .dense(320, 0.1)                            // hidden layer 1: 320 sigmoid neurons, λ = 0.1
                .dense(64, 0.1)                             // hidden layer 2: 64 sigmoid neurons
                .output(10, 0.1);                           // one output neuron per digit
        // The data section: class labels in output-neuron order, the input shape [W, H, D] and the pixel scaling
        // (raw bytes 0..255 become 0..1).
        return ModelSpec.of(IdxReader.MNIST_CLASSES, new Shape(28, 28, 1), IdxReader.MNIST_NORMALIZATION, layers);
    }

    public static void main(String[] args) {
        ModelSpec model = denseMnist(30, 1024);             // the reference README trains 30 epochs of 1024 samples

        // Seed 0 draws the C++ reference's own initial weights: N(0, 0.1) weights, zero biases.
        Network network = Network.create(model, 0);
        System.out.print(network.summary());               // layers, output shapes [W, H, D], parameter counts

        // The layers are ordinary objects: W of the first dense layer is (n_out, n_in) exactly as in (1).
        DenseLayer first = (DenseLayer) network.layers().get(0);
        System.out.println("first layer: W " + java.util.Arrays.toString(first.weights().shape())
                + ", b " + java.util.Arrays.toString(first.biases().shape())
                + ", W[0][0..2] = " + first.weights().getRow(0).get(NDArrayIndex.interval(0, 3)));
    }
}
