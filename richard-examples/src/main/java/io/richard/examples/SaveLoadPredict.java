package io.richard.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import io.richard.api.train.EpochResult;
import io.richard.nd4j.Network;
import io.richard.nd4j.train.Trainer;
import io.richard.nd4j.data.IdxReader;
import io.richard.nd4j.data.InMemoryDataSet;
import io.richard.nd4j.io.ModelArchive;
import io.richard.nd4j.io.SavedModel;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Example 3: train briefly, save the model archive, load it back and classify one test image.
 *
 * <pre>mvn -q -pl richard-examples exec:java -Dexec.mainClass=io.richard.examples.SaveLoadPredict \
 *     -Dexec.args="--model mnist-dense.richard"</pre>
 *
 * Arguments (all optional): {@code --data DIR}, {@code --epochs N} (default 1), {@code --limit N} training
 * samples, {@code --model FILE} (default: a temporary file, deleted at the end) and {@code --index I}, the test
 * image to classify (default 0).
 */
public final class SaveLoadPredict {

    private SaveLoadPredict() {
    }

    /** What {@link #run} predicted for the chosen image. */
    public record Prediction(int label, int predicted, INDArray output, Path model) {
    }

    public static void main(String[] args) throws Exception {
        run(args);
    }

    public static Prediction run(String... args) throws Exception {
        ExampleArgs options = ExampleArgs.parse(args);
        InMemoryDataSet train = IdxReader.loadMnist(options.dataDir(), true, options.limit());
        int index = options.integer("index", 0);
        InMemoryDataSet test = IdxReader.loadMnist(options.dataDir(), false, index + 1);

        // 1. Train the dense network of BuildNetwork for a short while.
        Network network = Network.create(BuildNetwork.denseMnist(options.epochs(1), train.size()), 0);
        List<EpochResult> epochs = Trainer.builder(network).build().fit(train);
        String finalCost = epochs.isEmpty() ? "untrained" : Double.toString(epochs.get(epochs.size() - 1).meanCost());

        // 2. Save it: one ZIP holding the description (the reference config) and the parameters as .npy arrays,
        //    with free-form metadata; the file is replaced atomically.
        boolean temporary = options.string("model", null) == null;
        Path file = temporary ? Files.createTempFile("richard-example-", ".richard")
                : Path.of(options.string("model", null));
        ModelArchive.save(file, network, Map.of(
                "example", SaveLoadPredict.class.getSimpleName(),
                "trainingSamples", Integer.toString(train.size()),
                "finalCost", finalCost));
        System.out.printf("saved %s (%,d bytes)%n", file, Files.size(file));

        // 3. Load it: the network with its parameters, plus the metadata written above.
        SavedModel saved = ModelArchive.load(file);
        Network loaded = saved.network();
        System.out.println("loaded format version " + saved.formatVersion() + ", metadata " + saved.metadata());

        // 4. Predict one image: the input is a (1, 784) row of normalised pixels, the output (1, 10) sigmoid values.
        InMemoryDataSet one = test.subset(index, 1);
        INDArray x = one.features();
        INDArray output = loaded.output(x);
        int predicted = Network.argmax(output)[0];
        int label = one.label(0);
        System.out.print(ascii(x, 28));
        System.out.printf("test image %d: label %s, predicted %s%n", index, test.classes().get(label),
                test.classes().get(predicted));
        System.out.println("output a^L = " + Arrays.toString(output.toFloatVector()));

        if (temporary) {
            Files.delete(file);
        }
        return new Prediction(label, predicted, output, temporary ? null : file);
    }

    /** A digit as text, one character per pixel, darker characters for brighter pixels. */
    static String ascii(INDArray row, int width) {
        float[] pixels = row.toFloatVector();
        String shades = " .:-=+*#%@";
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < pixels.length; i++) {
            s.append(shades.charAt(Math.min(shades.length() - 1, (int) (pixels[i] * shades.length()))));
            if ((i + 1) % width == 0) {
                s.append('\n');
            }
        }
        return s.toString();
    }
}
