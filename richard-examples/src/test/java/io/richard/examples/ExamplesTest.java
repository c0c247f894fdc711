package io.richard.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import io.richard.nd4j.Evaluation;
import io.richard.nd4j.Network;
import io.richard.nd4j.data.IdxReader;
import io.richard.nd4j.io.ModelArchive;
import io.richard.nd4j.io.SavedModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Runs every Java example on a few hundred samples of the shipped MNIST subset, for one epoch. */
class ExamplesTest {

    /** Runs {@code action} and returns what it printed. */
    private static String printed(ThrowingRunnable action) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setOut(original);
        }
        String text = buffer.toString(StandardCharsets.UTF_8);
        original.print(text);
        return text;
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void buildNetworkPrintsTheReferenceDenseNetwork() throws Exception {
        String out = printed(() -> BuildNetwork.main(new String[0]));
        // 784·320 + 320, 320·64 + 64, 64·10 + 10 (summary() groups digits in the default locale)
        for (long count : new long[] {251_200, 20_544, 650, 272_394}) {
            assertTrue(out.contains(String.format("%,d", count)), "missing " + count + " in\n" + out);
        }
        assertTrue(out.contains("first layer: W [320, 784], b [1, 320]"), out);
    }

    @Test
    void layerTimesPrintsEveryLayerOfTheChainedNetwork() throws Exception {
        String out = printed(() -> io.richard.examples.bench.LayerTimes.main(new String[] {"cnn", "2"}));
        assertTrue(out.startsWith("cnn network, 2 mini-batches of 32"), out);
        for (String layer : new String[] {"0 convolutional", "1 maxPooling", "2 convolutional", "3 maxPooling",
            "4 dense", "5 output"}) {
            assertTrue(out.contains(layer), "missing " + layer + " in\n" + out);
        }
        assertTrue(out.matches("(?s).*all layers \\d+\\.\\d\\d ms.*"), out);
    }

    @Test
    void trainMnistTrainsAndEvaluates() throws Exception {
        Evaluation[] result = new Evaluation[1];
        String out = printed(() -> result[0] = TrainMnist.run("--limit", "500", "--test-limit", "200", "--epochs", "1"));
        assertEquals(200, result[0].samples());
        assertTrue(out.contains("epoch 1/1: 500 samples"), out);
        assertTrue(out.contains("actual\\pred"), out);
        // One pass over 500 digits is far from trained (the accuracy lives in richard-nd4j's learning tests), but
        // it has learned something: the untrained network outputs about 0.5 everywhere, a mean cost (15) of ~1.25.
        assertTrue(result[0].meanCost() < 0.7, "mean cost " + result[0].meanCost());
    }

    @Test
    void saveLoadPredictRoundTripsTheModel(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("mnist.richard");
        SaveLoadPredict.Prediction[] result = new SaveLoadPredict.Prediction[1];
        String out = printed(() -> result[0] = SaveLoadPredict.run("--limit", "300", "--model", model.toString(),
                "--index", "3"));
        SaveLoadPredict.Prediction p = result[0];
        assertTrue(Files.isRegularFile(model), "the archive was kept: " + model);
        assertEquals(IdxReader.loadMnist(Path.of("data", "mnist"), false, 4).label(3), p.label());
        assertArrayEquals(new long[] {1, 10}, p.output().shape());
        assertEquals(Network.argmax(p.output())[0], p.predicted());
        assertTrue(out.contains("label " + p.label() + ", predicted " + p.predicted()), out);

        // the archive holds the trained network: loading it again gives the same output for the same image
        SavedModel saved = ModelArchive.load(model);
        assertEquals("SaveLoadPredict", saved.metadata().get("example"));
        assertEquals("300", saved.metadata().get("trainingSamples"));
        INDArray x = IdxReader.loadMnist(Path.of("data", "mnist"), false, 4).subset(3, 1).features();
        assertEquals(p.output(), saved.network().output(x));
    }

    @Test
    void saveLoadPredictWithoutAModelPathLeavesNoFile() throws Exception {
        SaveLoadPredict.Prediction[] result = new SaveLoadPredict.Prediction[1];
        printed(() -> result[0] = SaveLoadPredict.run("--limit", "100"));
        assertNull(result[0].model());
    }

    @Test
    void cnnMnistTrainsTheConvolutionalNetwork() throws Exception {
        Evaluation[] result = new Evaluation[1];
        String out = printed(() -> result[0] = CnnMnist.run("--limit", "200", "--test-limit", "100", "--epochs", "1"));
        assertEquals(100, result[0].samples());
        assertTrue(out.contains("[26, 26, 32]") && out.contains("[5, 5, 64]"), out);
        assertTrue(out.contains(String.format("%,d", 136_266)), out);
        assertTrue(out.contains("epoch 1/1: 200 samples"), out);
    }

    @Test
    void badArgumentsAreExplained() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainMnist.run("--epochs", "many"));
        assertTrue(e.getMessage().contains("--epochs must be a non-negative integer, got 'many'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainMnist.run("--limit"));
        assertTrue(e.getMessage().contains("--name value pairs"), e.getMessage());
    }
}
