package io.richard.cli;

import static io.richard.cli.Fixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.richard.api.spec.OutputLayerSpec;
import io.richard.nd4j.io.Models;
import io.richard.nd4j.io.SavedModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What issue 19 adds beyond the reference, through the command line: a softmax output with the cross-entropy cost
 * trains, is saved, evaluated, summarised and exported; the reference's network file format refuses it before any
 * training; Adam with a schedule and early stopping saves the best epoch's model and says which it is.
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

    /**
     * Adam, a step schedule and early stopping on the test cost: the run stops when the cost has not improved for
     * the patience, every metrics line names the best epoch so far, and the model saved is the best epoch's (its test
     * cost is the one recorded for that epoch).
     */
    @Test
    void earlyStoppingSavesTheBestEpochsModelAndTheMetricsSayWhichItIs() throws IOException {
        Path config = config("{size: 2, learnRate: 0.05, activation: softmax, cost: crossEntropy}");
        Files.writeString(config, Files.readString(config)
                .replace("hyperparams: {epochs: 2,", "hyperparams: {epochs: 12,")
                .replace("    hiddenLayers:\n", "    optimizer: {type: adam}\n    schedule: {type: step, every: 4,"
                        + " gamma: 0.5}\n    hiddenLayers:\n")
                .replace("  test: test.csv\n", "  test: test.csv\n  earlyStopping: {patience: 1, metric: testCost}\n"));
        Path model = dir.resolve("m.richard");
        Path report = dir.resolve("m.html");
        Fixtures.Result trained = run("train", config.toString(), "-o", model.toString(), "--progress", "none",
                "--report", report.toString());
        assertEquals(0, trained.status(), trained::toString);
        assertTrue(trained.err().contains("  optimizer adam (β1 0.9, β2 0.999, ε 1.0e-8)"), trained::toString);
        assertTrue(trained.err().contains("  schedule step: × 0.5 every 4 epochs, on the layers' rates"),
                trained::toString);
        assertTrue(trained.err().contains("  stopping when the test cost has not improved for 1 epoch; the best"
                + " epoch's model is saved"), trained::toString);

        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("m.richard.metrics.jsonl"))) {
            lines.add(json.readTree(line));
        }
        int best = lines.get(lines.size() - 1).get("bestEpoch").asInt();
        double bestCost = Double.MAX_VALUE;
        for (JsonNode line : lines) {
            bestCost = Math.min(bestCost, line.get("testCost").asDouble());
            assertTrue(line.has("bestEpoch"), line.toString());
        }
        assertEquals(bestCost, lines.get(best - 1).get("testCost").asDouble(), "the best epoch has the lowest cost");
        SavedModel saved = Models.load(model);
        assertEquals(Integer.toString(best), saved.metadata().get("bestEpoch"));
        Fixtures.Result eval = run("eval", model.toString(), dir.resolve("test.csv").toString(), "--format", "json");
        assertEquals(0, eval.status(), eval::toString);
        assertEquals(bestCost, json.readTree(eval.out()).get("meanCost").asDouble(), 1e-12,
                "the model saved is the best epoch's");
        Fixtures.Result text = run("eval", model.toString(), dir.resolve("test.csv").toString());
        assertTrue(text.out().contains(" epochs; epoch " + best + "'s parameters, the best)\n"), text::toString);
        assertTrue(Files.readString(report).contains("; the model is epoch " + best + "&#39;s, the best</div>"),
                "the report's epochs card names the epoch saved");
        if (lines.size() < 12) {
            assertEquals(best + 1, lines.size(), "stopped after the first epoch that did not improve");
            assertTrue(trained.out().contains("stopped early after epoch " + lines.size() + " of 12: the test cost has"
                    + " not improved for 1 epoch since epoch " + best + "'s "), trained::toString);
            assertEquals("patience 1, testCost; stopped after epoch " + lines.size(),
                    saved.metadata().get("earlyStopping"));
        } else {
            assertTrue(trained.out().contains("the model saved is epoch " + best + "'s, with the best test cost ("),
                    trained::toString);
        }
    }

    @Test
    void earlyStoppingNeedsATestSetAndIsReadStrictly() throws IOException {
        Path config = config("{size: 2, learnRate: 0.5}");
        Files.writeString(config, Files.readString(config).replace("  test: test.csv\n",
                "  earlyStopping: {patience: 2}\n"));
        Fixtures.Result refused = run("train", config.toString(), "--progress", "none");
        assertEquals(2, refused.status(), refused::toString);
        assertEquals("richard: error: " + config + ": training.earlyStopping needs a test set to watch: give --test"
                + " PATH, or set training.test\n", refused.err());

        Files.writeString(config, Files.readString(config).replace("{patience: 2}", "{patience: 2, metric: loss}"));
        Fixtures.Result wrong = run("train", config.toString(), "--progress", "none");
        assertEquals(2, wrong.status(), wrong::toString);
        assertEquals("richard: error: " + config + ":15:40: training.earlyStopping.metric: metric must be"
                + " testAccuracy or testCost, got 'loss'\n", wrong.err());
    }

    /**
     * A run with early stopping, Adam and a step schedule, resumed from the checkpoint written when a first run
     * ended (which keeps the last parameters, not the saved best ones), saves the model an uninterrupted run saves,
     * bit for bit, and its metrics name the same best epochs.
     */
    @Test
    void earlyStoppingResumesExactlyFromTheCheckpointOfAFinishedRun() throws IOException {
        Path config = config("{size: 2, learnRate: 0.02, activation: softmax, cost: crossEntropy}");
        Files.writeString(config, Files.readString(config)
                .replace("    hiddenLayers:\n", "    optimizer: {type: adam}\n    schedule: {type: step, every: 2,"
                        + " gamma: 0.7}\n    hiddenLayers:\n")
                .replace("  test: test.csv\n", "  test: test.csv\n  shuffle: true\n  earlyStopping: {patience: 9}\n"));
        Path straight = dir.resolve("a.richard");
        Fixtures.Result a = run("train", config.toString(), "-o", straight.toString(), "--epochs", "6", "--progress",
                "none", "--threads", "1");
        assertEquals(0, a.status(), a::toString);
        Path resumed = dir.resolve("b.richard");
        Fixtures.Result first = run("train", config.toString(), "-o", resumed.toString(), "--epochs", "3",
                "--checkpoint-every", "2", "--progress", "none", "--threads", "1");    // the end: written after fit
        assertEquals(0, first.status(), first::toString);
        Fixtures.Result second = run("train", config.toString(), "-o", resumed.toString(), "--epochs", "6",
                "--resume", dir.resolve("b.richard.checkpoint").toString(), "--progress", "none", "--threads", "1");
        assertEquals(0, second.status(), second::toString);
        CheckpointCliTest.assertSameParameters(straight, resumed);
        assertEquals(Models.load(straight).metadata().get("bestEpoch"), Models.load(resumed).metadata().get("bestEpoch"));
        ObjectMapper json = new ObjectMapper();
        List<String> want = new ArrayList<>();
        List<String> got = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("a.richard.metrics.jsonl"))) {
            want.add(json.readTree(line).get("bestEpoch") + " " + json.readTree(line).get("testCost"));
        }
        for (String line : Files.readAllLines(dir.resolve("b.richard.metrics.jsonl"))) {
            got.add(json.readTree(line).get("bestEpoch") + " " + json.readTree(line).get("testCost"));
        }
        assertEquals(want, got);
    }
}
