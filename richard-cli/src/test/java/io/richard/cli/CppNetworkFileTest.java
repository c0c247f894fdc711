package io.richard.cli;

import static io.richard.cli.Fixtures.args;
import static io.richard.cli.Fixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.richard.cli.Fixtures.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Network files in the exact layout the C++ program writes ({@link CppFiles}: its config with an output layer
 * without {@code type}, a {@code gpu} key and a key it kept; its parameter order), evaluated and predicted by the
 * command line; every number is checked against {@link HandNetwork}'s float64 forward pass.
 */
class CppNetworkFileTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** A network file's config as the C++ program writes it (§1, §6): the whole training config, sorted. */
    static String cppConfig(List<Object> shape, List<Object> hiddenLayers, Map<String, Object> outputLayer,
                            Map<String, Object> hyperparams, boolean gpu) {
        Map<String, Object> network = CppFiles.object("hiddenLayers", hiddenLayers, "hyperparams", hyperparams,
                "outputLayer", outputLayer);
        if (gpu) {
            network.put("gpu", CppFiles.object("maxWorkgroupSize", 64));
        }
        return CppFiles.json(CppFiles.object(
                "classifier", CppFiles.object("network", network),
                "data", CppFiles.object("classes", List.of("a", "b"), "normalization",
                        CppFiles.object("max", 8, "min", 0), "shape", shape),
                "dataLoader", CppFiles.object("fetchSize", 7),
                "training", CppFiles.object("data", "train.csv")));      // a key of ours the C++ program keeps
    }

    /** The dense fixture: [4, 1, 1] → dense 3 → output 2, with a gpu section. */
    static String denseConfig(double learnRate) {
        return cppConfig(List.of(4, 1, 1),
                List.of(CppFiles.object("dropoutRate", 0.0, "learnRate", learnRate, "learnRateDecay", 1.0, "size", 3,
                        "type", "dense")),
                CppFiles.object("learnRate", learnRate, "learnRateDecay", 1.0, "size", 2),
                CppFiles.object("batchSize", 1000, "epochs", 1, "miniBatchSize", 1), true);
    }

    static final int DENSE_PARAMETERS = 3 + 3 * 4 + 2 + 2 * 3;

    /** The convolutional fixture: [5, 4, 2] → conv 2 kernels of kW 2 × kH 3 → [4, 2, 2] → max pool 2×2 → [2, 1, 2] → output 2. */
    static String convConfig(double learnRate) {
        return cppConfig(List.of(5, 4, 2),
                List.of(CppFiles.object("depth", 2, "dropoutRate", 0.0, "kernelSize", List.of(2, 3), "learnRate",
                                learnRate, "learnRateDecay", 1.0, "type", "convolutional"),
                        CppFiles.object("regionSize", List.of(2, 2), "type", "maxPooling")),
                CppFiles.object("learnRate", learnRate, "learnRateDecay", 1.0, "size", 2),
                CppFiles.object("batchSize", 1000, "epochs", 1, "miniBatchSize", 1), false);
    }

    static final int CONV_PARAMETERS = 2 * (1 + 2 * 3 * 2) + 2 + 2 * 4;

    /** Hand-set parameters: hundredths in [−1, 1] from a fixed linear congruential sequence. */
    static float[] handSet(int count, int seed) {
        float[] p = new float[count];
        long s = seed;
        for (int k = 0; k < count; k++) {
            s = (s * 1103515245L + 12345L) % (1L << 31);
            p[k] = ((s >> 16) % 201 - 100) / 100f;
        }
        return p;
    }

    static HandNetwork denseHand(float[] p) {
        return new HandNetwork(4, 1, 1, p).dense(3).dense(2).done();
    }

    static HandNetwork convHand(float[] p) {
        return new HandNetwork(5, 4, 2, p).convolutional(2, 2, 3).maxPooling(2, 2).dense(2).done();
    }

    /** Labelled CSV rows of {@code values} integers in [0, 8] (exact after normalization by 8); labels alternate a, b. */
    static List<int[]> rows(int n, int values, int seed) {
        List<int[]> rows = new ArrayList<>();
        long state = seed;
        for (int r = 0; r < n; r++) {
            int[] row = new int[values + 1];
            row[0] = r % 2;
            for (int v = 1; v <= values; v++) {
                state = (state * 6364136223846793005L + 1442695040888963407L);
                row[v] = (int) ((state >>> 33) % 9);
            }
            rows.add(row);
        }
        return rows;
    }

    static Path csv(Path file, List<int[]> rows) throws IOException {
        StringBuilder text = new StringBuilder();
        for (int[] row : rows) {
            text.append(row[0] == 0 ? "a" : "b");
            for (int v = 1; v < row.length; v++) {
                text.append(',').append(row[v]);
            }
            text.append('\n');
        }
        Files.writeString(file, text);
        return file;
    }

    /** The normalised input of a row: (x − min) / (max − min) with min 0, max 8. */
    static double[] input(int[] row) {
        double[] x = new double[row.length - 1];
        for (int v = 1; v < row.length; v++) {
            x[v - 1] = (row[v] - 0) / 8.0;
        }
        return x;
    }

    /** The one-hot target of a row. */
    static double[] target(int[] row) {
        return row[0] == 0 ? new double[] {1, 0} : new double[] {0, 1};
    }

    @Test
    void theFixtureWriterWritesTheIssuesCppFileHeaderByteForByte() {
        List<Object> hidden = new ArrayList<>();
        for (int size : new int[] {320, 64}) {
            hidden.add(CppFiles.object("dropoutRate", 0.0, "learnRate", 0.1, "learnRateDecay", 1.0, "size", size,
                    "type", "dense"));
        }
        List<Object> classes = new ArrayList<>();
        for (int c = 0; c < 10; c++) {
            classes.add(Integer.toString(c));
        }
        String config = CppFiles.json(CppFiles.object(
                "classifier", CppFiles.object("network", CppFiles.object("hiddenLayers", hidden,
                        "hyperparams", CppFiles.object("batchSize", 60000, "epochs", 1, "miniBatchSize", 32),
                        "outputLayer", CppFiles.object("learnRate", 0.1, "learnRateDecay", 1.0, "size", 10))),
                "data", CppFiles.object("classes", classes, "normalization", CppFiles.object("max", 255, "min", 0),
                        "shape", List.of(784, 1, 1)),
                "dataLoader", CppFiles.object("fetchSize", 512)));
        // quoted from a file the C++ program wrote (issue 13)
        assertEquals("{\"classifier\":{\"network\":{\"hiddenLayers\":[{\"dropoutRate\":0.0,\"learnRate\":0.1,"
                + "\"learnRateDecay\":1.0,\"size\":320,\"type\":\"dense\"},{\"dropoutRate\":0.0,\"learnRate\":0.1,"
                + "\"learnRateDecay\":1.0,\"size\":64,\"type\":\"dense\"}],\"hyperparams\":{\"batchSize\":60000,"
                + "\"epochs\":1,\"miniBatchSize\":32},\"outputLayer\":{\"learnRate\":0.1,\"learnRateDecay\":1.0,"
                + "\"size\":10}}},\"data\":{\"classes\":[\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"],"
                + "\"normalization\":{\"max\":255,\"min\":0},\"shape\":[784,1,1]},\"dataLoader\":{\"fetchSize\":512}}",
                config);
    }

    @Test
    void aDenseNetworkFileOfTheCppProgramEvaluatesAndPredicts() throws Exception {
        float[] p = handSet(DENSE_PARAMETERS, 3);
        Path net = CppFiles.write(dir.resolve("dense.net"), denseConfig(0.5), p);
        assertTrue(CppFiles.config(net).contains("\"gpu\":{\"maxWorkgroupSize\":64}"));
        assertTrue(CppFiles.config(net).contains("\"outputLayer\":{\"learnRate\":0.5,\"learnRateDecay\":1.0,\"size\":2}"));
        checkEvalAndPredict(net, denseHand(p), rows(12, 4, 7));
    }

    @Test
    void aConvolutionalNetworkFileOfTheCppProgramEvaluatesAndPredicts() throws Exception {
        float[] p = handSet(CONV_PARAMETERS, 1);
        Path net = CppFiles.write(dir.resolve("conv.net"), convConfig(0.1), p);
        assertTrue(CppFiles.config(net).contains("{\"depth\":2,\"dropoutRate\":0.0,\"kernelSize\":[2,3],"));
        assertTrue(CppFiles.config(net).contains("{\"regionSize\":[2,2],\"type\":\"maxPooling\"}"));
        checkEvalAndPredict(net, convHand(p), rows(12, 5 * 4 * 2, 8));
    }

    private void checkEvalAndPredict(Path net, HandNetwork hand, List<int[]> rows) throws Exception {
        Path data = csv(dir.resolve("data.csv"), rows);
        int correct = 0;
        double cost = 0;
        List<double[]> outputs = new ArrayList<>();
        boolean[] predicted = new boolean[2];
        for (int[] row : rows) {
            double[] a = hand.output(input(row));
            outputs.add(a);
            int label = a[1] > a[0] ? 1 : 0;
            predicted[label] = true;
            correct += label == row[0] ? 1 : 0;
            cost += HandNetwork.cost(a, target(row));
        }
        assertTrue(predicted[0] && predicted[1], "the fixture should predict both classes");

        Result eval = run(args("eval", net, data, "--format", "json"));
        assertEquals(0, eval.status(), eval::toString);
        JsonNode report = JSON.readTree(eval.out());
        assertEquals("reference", report.get("modelFormat").asText());
        assertEquals(rows.size(), report.get("samples").asInt());
        assertEquals(correct, report.get("correct").asInt(), eval::toString);
        assertEquals(cost / rows.size(), report.get("meanCost").asDouble(), 1e-6, eval::toString);

        Result predict = run(args("predict", net, data, "--format", "json"));
        assertEquals(0, predict.status(), predict::toString);
        String[] lines = predict.out().split("\n");
        assertEquals(rows.size(), lines.length, predict::toString);
        for (int r = 0; r < rows.size(); r++) {
            JsonNode line = JSON.readTree(lines[r]);
            double[] a = outputs.get(r);
            assertEquals(a[1] > a[0] ? "b" : "a", line.get("predicted").asText(), "row " + r);
            assertEquals(a[0], line.get("outputs").get("a").asDouble(), 1e-6, "row " + r);
            assertEquals(a[1], line.get("outputs").get("b").asDouble(), 1e-6, "row " + r);
        }

        Result legacy = run(args("--eval", "--samples", data, "--network", net));
        assertEquals(0, legacy.status(), legacy::toString);
        assertTrue(legacy.out().contains(String.format(Locale.ROOT, "(%d/%d correct)", correct, rows.size())),
                legacy::toString);

        Result summary = run(args("summary", net));
        assertEquals(0, summary.status(), summary::toString);
    }

    @Test
    void aBadValueInANetworkFilesConfigIsOneLineWithItsPosition() throws IOException {
        String config = denseConfig(0.5).replace("\"size\":3", "\"size\":\"3\"");
        Path net = CppFiles.write(dir.resolve("bad.net"), config, handSet(DENSE_PARAMETERS, 1));
        Result eval = run(args("eval", net, dir.resolve("none.csv")));
        assertEquals(2, eval.status(), eval::toString);
        assertEquals("richard: error: " + net + " (network file config):1:" + (config.indexOf("\"3\"") + 1)
                + ": classifier.network.hiddenLayers[0].size: expected a positive integer, got the string \"3\"\n",
                eval.err());
    }
}
