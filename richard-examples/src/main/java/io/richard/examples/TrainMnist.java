package io.richard.examples;

import java.util.List;
import io.richard.api.train.EpochResult;
import io.richard.nd4j.Evaluation;
import io.richard.nd4j.Network;
import io.richard.nd4j.train.Trainer;
import io.richard.nd4j.data.IdxReader;
import io.richard.nd4j.data.InMemoryDataSet;

/**
 * Example 2: train the dense MNIST network on the shipped subset with a progress bar, then evaluate it on the
 * test images and print the accuracy and the confusion matrix.
 *
 * <pre>mvn -q -pl richard-examples exec:java -Dexec.mainClass=io.richard.examples.TrainMnist \
 *     -Dexec.args="--epochs 10"</pre>
 *
 * Arguments (all optional): {@code --data DIR} (MNIST IDX files, gzipped or not; default the shipped subset),
 * {@code --epochs N} (default 10), {@code --limit N} training and {@code --test-limit N} test samples.
 */
public final class TrainMnist {

    private TrainMnist() {
    }

    public static void main(String[] args) {
        run(args);
    }

    /** Trains and evaluates; returns the evaluation on the test set. */
    public static Evaluation run(String... args) {
        ExampleArgs options = ExampleArgs.parse(args);

        // Read the IDX files: pixels scaled to [0, 1], labels "0".."9".
        InMemoryDataSet train = IdxReader.loadMnist(options.dataDir(), true, options.limit());
        InMemoryDataSet test = IdxReader.loadMnist(options.dataDir(), false, options.testLimit());
        System.out.println("training on " + train + ", testing on " + test.size() + " samples");

        // The reference README's network (see BuildNetwork); every epoch uses all training samples.
        Network network = Network.create(BuildNetwork.denseMnist(options.epochs(10), train.size()), 0);

        List<EpochResult> epochs = Trainer.builder(network)
                .shuffle(42)                                // a fresh sample order every epoch, drawn from seed 42
                .listener(new ProgressBar(System.out))      // prints the bar and each epoch's mean cost
                .build()
                .fit(train);

        // Inference on the test set, in mini-batches of 256: accuracy, mean cost (15), confusion matrix.
        Evaluation evaluation = network.evaluate(test, 256);
        System.out.printf("trained %d epoch(s); test %s%n", epochs.size(), evaluation);
        System.out.print(evaluation.confusionTable());
        return evaluation;
    }
}
