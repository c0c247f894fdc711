package io.richard.examples;

import io.richard.api.Shape;
import io.richard.api.spec.ModelSpec;
import io.richard.api.spec.NetworkSpec;
import io.richard.nd4j.Evaluation;
import io.richard.nd4j.Network;
import io.richard.nd4j.train.Trainer;
import io.richard.nd4j.data.IdxReader;
import io.richard.nd4j.data.InMemoryDataSet;

/**
 * Example 4: a convolutional network on MNIST, the reference README's cat/dog CNN on 28×28×1 digits.
 *
 * <pre>
 *   28×28×1 ─conv 32 of 3×3→ 26×26×32 ─max-pool 2×2→ 13×13×32 ─conv 64 of 4×4→ 10×10×64 ─max-pool 2×2→ 5×5×64
 *           ─dense 64→ 64 ─output→ 10
 * </pre>
 *
 * Every size divides: (28 − 3 + 1) / 2 = 13 and (13 − 4 + 1) / 2 = 5.
 *
 * <pre>mvn -q -pl richard-examples exec:java -Dexec.mainClass=io.richard.examples.CnnMnist \
 *     -Dexec.args="--epochs 2"</pre>
 *
 * Arguments (all optional): {@code --data DIR}, {@code --epochs N} (default 2), {@code --limit N},
 * {@code --test-limit N}.
 */
public final class CnnMnist {

    private CnnMnist() {
    }

    /** The CNN; convolutions use ReLU, dense and output layers sigmoid, as in the reference. */
    public static ModelSpec cnnMnist(int epochs, int samplesPerEpoch) {
        NetworkSpec layers = NetworkSpec.builder()
                .hyperparams(epochs, samplesPerEpoch, 32)
                .convolutional(32, 3, 3, 0.01)              // 32 kernels of 3×3×1, ReLU
                .maxPooling(2, 2)
                .convolutional(64, 4, 4, 0.01)              // 64 kernels of 4×4×32
                .maxPooling(2, 2)
                .dense(64, 0.01)                            // flattened 5·5·64 = 1600 inputs
                .output(10, 0.01);
        return ModelSpec.of(IdxReader.MNIST_CLASSES, new Shape(28, 28, 1), IdxReader.MNIST_NORMALIZATION, layers);
    }

    public static void main(String[] args) {
        run(args);
    }

    /** Trains and evaluates; returns the evaluation on the test set. */
    public static Evaluation run(String... args) {
        ExampleArgs options = ExampleArgs.parse(args);
        InMemoryDataSet train = IdxReader.loadMnist(options.dataDir(), true, options.limit());
        InMemoryDataSet test = IdxReader.loadMnist(options.dataDir(), false, options.testLimit());

        Network network = Network.create(cnnMnist(options.epochs(2), train.size()), 0);
        System.out.print(network.summary());

        Trainer.builder(network)
                .shuffle(42)
                .listener(new ProgressBar(System.out))
                .build()
                .fit(train);

        Evaluation evaluation = network.evaluate(test, 128);
        System.out.println("test " + evaluation);
        System.out.print(evaluation.confusionTable());
        return evaluation;
    }
}
