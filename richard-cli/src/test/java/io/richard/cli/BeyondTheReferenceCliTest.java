package io.richard.cli;

import static io.richard.cli.Fixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.richard.api.spec.OutputLayerSpec;
import io.richard.nd4j.io.Models;
import io.richard.nd4j.io.SavedModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What issue 19 adds beyond the reference, through the command line: a softmax output with the cross-entropy cost
 * trains, is saved, evaluated, summarised and exported; the reference's network file format refuses it before any
 * training.
 */
class BeyondTheReferenceCliTest {

    @TempDir
    Path dir;

    /** The CSV project's config with its output layer and network sections edited. */
    private Path config(String outputLayer) throws IOException {
        Path config = Fixtures.csvProject(dir);
        Files.writeString(config, Files.readString(config).replace("outputLayer: {size: 2, learnRate: 0.5}",
                "outputLayer: " + outputLayer));
        return config;
    }

    @Test
    void aSoftmaxCrossEntropyNetworkTrainsAndEveryCommandTakesIt() throws IOException {
        Path config = config("{size: 2, learnRate: 0.5, activation: softmax, cost: crossEntropy}");
        Path model = dir.resolve("m.richard");
        Fixtures.Result trained = run("train", config.toString(), "-o", model.toString(), "--progress", "none");
        assertEquals(0, trained.status(), trained::toString);
        SavedModel saved = Models.load(model);
        assertEquals(new OutputLayerSpec(2, 0.5, "softmax", "crossEntropy"),
                saved.network().model().network().outputLayer());
        assertTrue(Double.parseDouble(saved.metadata().get("testAccuracy")) >= 0.9, trained::toString);

        Fixtures.Result summary = run("summary", model.toString());
        assertEquals(0, summary.status(), summary::toString);
        assertTrue(summary.out().contains("softmax") && summary.out().contains("loss: crossEntropy"),
                summary::toString);
        Fixtures.Result configSummary = run("summary", config.toString());
        assertTrue(configSummary.out().contains("loss: crossEntropy"), configSummary::toString);

        Fixtures.Result eval = run("eval", model.toString(), dir.resolve("test.csv").toString());
        assertEquals(0, eval.status(), eval::toString);
        Fixtures.Result export = run("export", model.toString(), "-o", dir.resolve("m.onnx").toString());
        assertEquals(0, export.status(), export::toString);
    }

    @Test
    void theReferenceFormatRefusesASoftmaxNetworkBeforeTraining() throws IOException {
        Path config = config("{size: 2, learnRate: 0.5, activation: softmax, cost: crossEntropy}");
        Path net = dir.resolve("m.net");
        Fixtures.Result refused = run("train", config.toString(), "-o", net.toString(), "--model-format", "reference",
                "--progress", "none");
        assertEquals(2, refused.status(), refused::toString);
        assertEquals("richard: error: --model-format reference: the C++ Richard's network file format cannot hold this"
                + " network: its output layer applies the softmax, which that program does not have (its output"
                + " layers apply the sigmoid); write a model archive (--model-format archive)\n", refused.err());
        assertFalse(Files.exists(net), "nothing written");
        assertFalse(Files.exists(dir.resolve("m.net.metrics.jsonl")), "no metrics either");

        // sigmoid with cross-entropy computes what the C++ program computes: written, the cost kept in its config
        Path sigmoid = config("{size: 2, learnRate: 0.5, cost: crossEntropy}");
        Fixtures.Result written = run("train", sigmoid.toString(), "-o", net.toString(), "--model-format", "reference",
                "--progress", "none");
        assertEquals(0, written.status(), written::toString);
        assertEquals("crossEntropy", Models.load(net).network().model().network().outputLayer().cost());
    }

    @Test
    void nonsenseIsNamedWhereItIsWritten() throws IOException {
        Path config = config("{size: 2, learnRate: 0.5, activation: softmax}");
        Fixtures.Result refused = run("train", config.toString(), "--progress", "none");
        assertEquals(2, refused.status(), refused::toString);
        assertEquals("richard: error: " + config + ":12:56: classifier.network.outputLayer.activation: output layer:"
                + " activation softmax with cost quadratic is not offered: softmax outputs are probabilities that sum"
                + " to 1, which the cross-entropy cost measures (cost: crossEntropy); the quadratic cost goes with the"
                + " sigmoid, as in the reference\n", refused.err());
    }
}
