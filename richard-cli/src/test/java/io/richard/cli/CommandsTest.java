package io.richard.cli;

import static io.richard.cli.Fixtures.args;
import static io.richard.cli.Fixtures.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.richard.cli.Fixtures.Result;
import io.richard.nd4j.io.Models;
import io.richard.nd4j.io.SavedModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real commands, run in-process on small generated data in each format. */
class CommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static void assertOk(Result result) {
        assertEquals(0, result.status(), result::toString);
        assertFalse(result.err().contains("Exception"), result::toString);
    }

    @Test
    void csvTrainEvalPredictSummary() throws IOException {
        Path config = Fixtures.csvProject(dir);
        Path model = dir.resolve("out/model.richard");
        Path plot = dir.resolve("out/curves.png");
        Result train = run(args("train", config, "--model", model, "--plot", plot, "--epochs", 3, "--progress", "lines"));
        assertOk(train);
        assertTrue(train.out().contains("epoch 1/3  cost "), train::toString);
        assertTrue(train.out().contains("test accuracy"), train::toString);
        assertTrue(train.out().contains("trained 3 epochs"), train::toString);
        assertTrue(train.out().contains("model saved to " + model), train::toString);
        assertTrue(train.err().contains("40 samples (CSV"), train::toString);

        SavedModel saved = Models.load(model);
        assertEquals(List.of("a", "b"), saved.network().model().classes());
        assertEquals("3", saved.metadata().get("epochs"));
        assertEquals("0", saved.metadata().get("seed"));

        List<String> metrics = Files.readAllLines(dir.resolve("out/model.richard.metrics.jsonl"));
        assertEquals(3, metrics.size());
        JsonNode last = JSON.readTree(metrics.get(2));
        assertEquals(3, last.get("epoch").asInt());
        assertEquals(40, last.get("samples").asInt());
        assertTrue(last.get("meanCost").asDouble() > 0);
        double testAccuracy = last.get("testAccuracy").asDouble();          // checked against eval's below
        assertFalse(last.get("stopped").asBoolean());
        byte[] png = Files.readAllBytes(plot);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
        TrainOutputsTest.assertPlotHasBothSeries(plot);

        Result eval = run(args("eval", model, dir.resolve("test.csv")));
        assertOk(eval);
        assertTrue(eval.out().contains("accuracy "), eval::toString);
        assertTrue(eval.out().contains("10 samples (CSV)"), eval::toString);
        assertTrue(eval.out().contains("class  precision"), eval::toString);
        assertTrue(eval.out().contains("confusion matrix (rows: actual class, columns: predicted class)"),
                eval::toString);

        Result json = run(args("eval", model, dir.resolve("test.csv"), "--format", "json"));
        assertOk(json);
        JsonNode report = JSON.readTree(json.out());
        assertEquals(10, report.get("samples").asInt());
        assertEquals(2, report.get("classes").size());
        assertEquals("a", report.get("classes").get(0).get("label").asText());
        assertEquals(10, report.get("confusion").get(0).get(0).asInt() + report.get("confusion").get(0).get(1).asInt()
                + report.get("confusion").get(1).get(0).asInt() + report.get("confusion").get(1).get(1).asInt());
        // the last epoch's test accuracy and cost are those of the saved model on the same test set
        assertEquals(report.get("accuracy").asDouble(), testAccuracy, 0, "eval and the last epoch's test accuracy");
        assertEquals(report.get("meanCost").asDouble(), last.get("testCost").asDouble(),
                1e-6 * report.get("meanCost").asDouble());
        TrainOutputsTest.assertPrecisionAndRecallFromTheConfusionMatrix(report);

        Result predict = run(args("predict", model, dir.resolve("test.csv")));
        assertOk(predict);
        List<String> lines = predict.out().lines().toList();
        assertEquals(10, lines.size(), predict::toString);
        assertTrue(lines.get(0).matches(".*test\\.csv:1: [ab] \\(expected a(, wrong)?\\)  \\[\\d\\.\\d{4} \\d\\.\\d{4}]"),
                lines.get(0));
        assertTrue(predict.err().contains("accuracy on the 10 inputs with a label"), predict::toString);

        Path unlabelled = dir.resolve("new.csv");
        Files.writeString(unlabelled, Fixtures.csvRows(3, new Random(9), false));
        Result csv = run(args("predict", model, unlabelled, "--format", "csv"));
        assertOk(csv);
        List<String> rows = csv.out().lines().toList();
        assertEquals("input,predicted,expected,a,b", rows.get(0));
        assertEquals(4, rows.size());
        assertTrue(rows.get(1).startsWith(unlabelled + ":1,"), rows.get(1));
        assertEquals(5, rows.get(1).split(",", -1).length);

        Result jsonLines = run(args("predict", model, unlabelled, "--format", "json"));
        assertOk(jsonLines);
        JsonNode first = JSON.readTree(jsonLines.out().lines().findFirst().orElseThrow());
        assertTrue(List.of("a", "b").contains(first.get("predicted").asText()));
        assertEquals(2, first.get("outputs").size());
        assertFalse(first.has("expected"));

        Result summary = run(args("summary", model));
        assertOk(summary);
        assertTrue(summary.out().contains("model archive v1"), summary::toString);
        assertTrue(summary.out().contains("total parameters"), summary::toString);
        Result configSummary = run(args("summary", config));
        assertOk(configSummary);
        assertTrue(configSummary.out().contains("classes  2: a, b"), configSummary::toString);
    }

    @Test
    void imageFolderWithConvolutionalNetwork() throws IOException {
        Path config = Fixtures.imageProject(dir);
        Path model = dir.resolve("cnn.richard");
        Result train = run(args("train", config, "--model", model, "--progress", "none", "--shuffle", "--seed", 5));
        assertOk(train);
        assertTrue(train.err().contains("16 samples (image folder"), train::toString);
        assertTrue(train.err().contains("shuffled, seed 5"), train::toString);
        assertEquals("true", Models.load(model).metadata().get("shuffle"));

        Result eval = run(args("eval", model, dir.resolve("images/test")));
        assertOk(eval);
        assertTrue(eval.out().contains("6 samples (image folder)"), eval::toString);

        Path one = dir.resolve("images/test/light/light-0.png");
        Result single = run(args("predict", model, one));
        assertOk(single);
        assertTrue(single.out().startsWith(one + ": "), single::toString);

        Result folder = run(args("predict", model, dir.resolve("images/test"), "--format", "json"));
        assertOk(folder);
        List<String> lines = folder.out().lines().toList();
        assertEquals(6, lines.size());
        assertEquals("dark", JSON.readTree(lines.get(0)).get("expected").asText());
    }

    @Test
    void twoThreadsSplitTheMiniBatchesOfAConvolutionalNetworkAndTrainTheSameModel() throws IOException {
        Path config = Fixtures.imageProject(dir);
        Path one = dir.resolve("one.richard");
        Path two = dir.resolve("two.richard");
        Result single = run(args("train", config, "--model", one, "--progress", "none", "--seed", 5));
        Result split = run(args("train", config, "--model", two, "--progress", "none", "--seed", 5, "--threads", 2));
        assertOk(single);
        assertOk(split);
        assertFalse(single.err().contains("split between"), single::toString);
        assertTrue(split.err().contains("threads  each mini-batch split between 2 threads, gradients summed"),
                split::toString);
        assertTrue(split.err().contains("2 BLAS threads"), split::toString);

        var a = Models.load(one).network().layers();
        var b = Models.load(two).network().layers();
        for (int l = 0; l < a.size(); l++) {
            for (int p = 0; p < a.get(l).parameters().size(); p++) {
                var expected = a.get(l).parameters().get(p).value();
                var actual = b.get(l).parameters().get(p).value();
                assertTrue(expected.equalsWithEps(actual, 1e-4), "layer " + l + " parameter " + p + ": " + expected
                        + " vs " + actual);
            }
        }
    }

    @Test
    void twoThreadsSplitTheEvaluationBatchesOfAConvolutionalNetworkAndCountTheSame() throws IOException {
        Path config = Fixtures.imageProject(dir);
        Path model = dir.resolve("cnn.richard");
        assertOk(run(args("train", config, "--model", model, "--progress", "none")));
        Random random = new Random(9);
        for (int i = 0; i < 100; i++) {                  // 200 images: batches of 200 rows, 100 per thread
            Fixtures.writePng(dir.resolve("many/dark/d" + i + ".png"), 4, 4, random.nextInt(120), random);
            Fixtures.writePng(dir.resolve("many/light/l" + i + ".png"), 4, 4, 50 + random.nextInt(120), random);
        }
        Result single = run(args("eval", model, dir.resolve("many"), "--batch-size", 200));
        Result split = run(args("eval", model, dir.resolve("many"), "--batch-size", 200, "--threads", 2));
        assertOk(single);
        assertOk(split);
        assertTrue(single.out().contains("200 samples"), single::toString);
        assertEquals(single.out(), split.out());                // accuracy, cost, per-class table, confusion
    }

    @Test
    void idxFilesInTheMnistLayout() throws IOException {
        Path config = Fixtures.idxProject(dir);
        Path model = dir.resolve("idx.richard");
        Result train = run(args("train", config, "--model", model, "--progress", "none"));
        assertOk(train);
        assertTrue(train.err().contains("30 samples (MNIST folder, train-images-idx3-ubyte.gz"), train::toString);
        assertTrue(train.err().contains("10 samples (MNIST folder, t10k-images-idx3-ubyte.gz"), train::toString);

        Result eval = run(args("eval", model, dir.resolve("mnist")));
        assertOk(eval);
        assertTrue(eval.out().contains("10 samples (MNIST folder, t10k"), eval::toString);

        Path images = dir.resolve("mnist/t10k-images-idx3-ubyte.gz");
        Result file = run(args("eval", model, images));
        assertOk(file);
        assertTrue(file.out().contains("10 samples (IDX)"), file::toString);

        Result predict = run(args("predict", model, images, "--limit", 3));
        assertOk(predict);
        List<String> lines = predict.out().lines().toList();
        assertEquals(3, lines.size());
        assertTrue(lines.get(1).startsWith(images + "#1: "), lines.get(1));
        assertTrue(lines.get(1).contains("(expected 1"), lines.get(1));
    }

    /** A network written in the C++ Richard's file format is read back by eval (the format is sniffed). */
    @Test
    void referenceNetworkFileFormat() throws IOException {
        Path config = Fixtures.csvProject(dir);
        Path network = dir.resolve("network");
        assertOk(run(args("train", config, "--model", network, "--model-format", "reference", "--progress", "none")));
        Result eval = run(args("eval", network, dir.resolve("test.csv")));
        assertOk(eval);
        assertTrue(eval.out().contains("(reference network file)"), eval::toString);
    }

    @Test
    void zeroEpochsSavesTheInitialNetwork() throws IOException {
        Path config = Fixtures.csvProject(dir);
        Path model = dir.resolve("m.richard");
        Result train = run(args("train", config, "--model", model, "--epochs", 0, "--plot", dir.resolve("p.png")));
        assertOk(train);
        assertTrue(train.out().contains("trained 0 epochs"), train::toString);
        assertTrue(Files.exists(model));
        assertTrue(train.err().contains("no plot drawn"), train::toString);
    }

    @Test
    void initPrintsConfigsThatLoad() throws IOException {
        Result dense = run("init");
        assertOk(dense);
        assertTrue(dense.out().startsWith("# richard training config"), dense::toString);
        Path file = dir.resolve("dense.yaml");
        Files.writeString(file, dense.out());
        assertEquals(10, ConfigReader.read(file).model().classes().size());

        Result cnn = run("init", "cnn", "--format", "json");
        assertOk(cnn);
        JsonNode json = JSON.readTree(cnn.out());
        assertEquals("convolutional", json.at("/classifier/network/hiddenLayers/0/type").asText());
        assertFalse(json.has("training"));

        Path written = dir.resolve("sub/cnn.yaml");
        assertOk(run(args("init", "cnn", "-o", written)));
        TrainingConfig config = ConfigReader.read(written);
        assertTrue(Files.isDirectory(config.training().data().orElseThrow()), config.training().toString());
        assertEquals(2, run(args("init", "-o", written)).status());
        assertOk(run(args("init", "-o", written, "--force")));
    }

    @Test
    void helpAndVersion() {
        Result version = run("--version");
        assertOk(version);
        assertTrue(version.out().startsWith("richard "), version::toString);
        for (String command : List.of("train", "eval", "predict", "init", "summary")) {
            Result help = run(command, "--help");
            assertOk(help);
            assertTrue(help.out().startsWith("Usage: richard " + command), help::toString);
        }
        Result top = run();
        assertOk(top);
        assertTrue(top.out().contains("--train --samples S --config C --network N"), top::toString);
    }

    @Test
    void logFileReceivesTheMessages() throws IOException {
        Path config = Fixtures.csvProject(dir);
        Path log = dir.resolve("logs/train.log");
        assertOk(run(args("train", config, "--model", dir.resolve("m.richard"), "--log", log, "--progress", "none")));
        String text = Files.readString(log);
        assertTrue(text.contains("[RESULT] epoch 1/2"), text);
        assertTrue(text.contains("[RESULT] model saved to"), text);
    }
}
