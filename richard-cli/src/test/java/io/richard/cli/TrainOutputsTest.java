package io.richard.cli;

import static io.richard.cli.Fixtures.args;
import static io.richard.cli.Fixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.richard.cli.Fixtures.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code train} writes besides the model (the metrics file at {@code --metrics FILE}, the picture of
 * {@code --plot}) checked against what it prints, and {@code bench} on the MNIST subset the project ships.
 */
class TrainOutputsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern EPOCH_LINE = Pattern.compile(
            "epoch (\\d+)/(\\d+)  cost (\\S+)  test accuracy (\\S+)%  test cost (\\S+)  .*");

    @TempDir
    Path dir;

    @Test
    void metricsGoToTheFileGivenOneLinePerEpochWithThePrintedNumbers() throws IOException {
        Path config = Fixtures.csvProject(dir);
        Path model = dir.resolve("m.richard");
        Path metrics = dir.resolve("logs/run-1.jsonl");
        Files.createDirectories(metrics.getParent());
        Result train = run(args("train", config, "--model", model, "--metrics", metrics, "--epochs", 4,
                "--progress", "none"));
        assertEquals(0, train.status(), train::toString);
        assertFalse(Files.exists(dir.resolve("m.richard.metrics.jsonl")), "no default metrics file beside the model");

        List<String> lines = Files.readAllLines(metrics);
        assertEquals(4, lines.size(), lines::toString);
        List<Matcher> printed = new ArrayList<>();
        for (String line : train.out().lines().toList()) {
            Matcher m = EPOCH_LINE.matcher(line);
            if (m.matches()) {
                printed.add(m);
            }
        }
        assertEquals(4, printed.size(), train::toString);
        for (int e = 0; e < 4; e++) {
            JsonNode record = JSON.readTree(lines.get(e));
            Matcher m = printed.get(e);
            assertEquals(e + 1, record.get("epoch").asInt());
            assertEquals(Integer.parseInt(m.group(1)), record.get("epoch").asInt());
            assertEquals(4, record.get("epochs").asInt());
            assertEquals(40, record.get("samples").asInt());
            assertFalse(record.get("stopped").asBoolean());
            assertRounded(m.group(3), record.get("meanCost").asDouble(), "cost of epoch " + (e + 1));
            assertRounded(m.group(4), 100 * record.get("testAccuracy").asDouble(), "test accuracy of epoch " + (e + 1));
            assertRounded(m.group(5), record.get("testCost").asDouble(), "test cost of epoch " + (e + 1));
            double accuracy = record.get("testAccuracy").asDouble();
            assertEquals(0, Math.abs(accuracy * 10 - Math.round(accuracy * 10)), 1e-9,
                    "a fraction of the 10 test samples: " + accuracy);
            assertTrue(record.get("seconds").asDouble() > 0, lines.get(e));
        }
        // a second run with --metrics appends nothing to the old file but starts its own
        Result again = run(args("train", config, "--model", dir.resolve("m2.richard"), "--metrics", metrics,
                "--epochs", 1, "--progress", "none"));
        assertEquals(0, again.status(), again::toString);
        assertEquals(1, Files.readAllLines(metrics).size(), "a new run replaces the metrics file");
    }

    @Test
    void benchTrainsTimesAndEvaluatesTheExampleNetworkOnMnist() {
        Path mnist = Home.root().orElseThrow().resolve("richard-examples/data/mnist");
        Result bench = run(args("bench", "--data", mnist, "--net", "dense", "--epochs", 3, "--limit", 3000,
                "--threads", "1"));
        assertEquals(0, bench.status(), bench::toString);
        List<String> lines = bench.out().lines().toList();
        assertTrue(lines.get(0).matches("setup net=dense jvm_to_ready_sec=\\S+ data_load_sec=\\S+ train_samples=3000 "
                + "test_samples=2000 mini_batch=32 training_threads=1 kernels=fast backend=\".*\""), lines.get(0));
        double[] seconds = new double[3];
        double[] costs = new double[3];
        for (int e = 0; e < 3; e++) {
            Matcher m = Pattern.compile("epoch (\\d) train_sec=(\\S+) cost=(\\S+) peak_rss_mb=(\\d+)")
                    .matcher(lines.get(1 + e));
            assertTrue(m.matches(), lines.get(1 + e));
            assertEquals(e + 1, Integer.parseInt(m.group(1)));
            seconds[e] = Double.parseDouble(m.group(2));
            costs[e] = Double.parseDouble(m.group(3));
            assertTrue(seconds[e] > 0 && costs[e] > 0, lines.get(1 + e));
        }
        assertTrue(costs[2] < costs[0], "training lowers the cost: " + Arrays.toString(costs));
        assertTrue(lines.get(4).matches("eval test_samples=2000 eval_sec=\\S+"), lines.get(4));
        Matcher end = Pattern.compile("bench net=dense epochs=3 threads=1 sec_per_epoch=(\\S+) samples_per_sec=(\\S+) "
                + "test_acc=(\\S+) peak_rss_mb=(\\d+)").matcher(lines.get(5));
        assertTrue(end.matches(), lines.get(5));
        System.out.println(lines.get(5));
        double[] sorted = seconds.clone();
        Arrays.sort(sorted);
        double secPerEpoch = Double.parseDouble(end.group(1));
        assertEquals(sorted[1], secPerEpoch, 0.0015, "the median epoch: " + Arrays.toString(seconds));
        double rate = Double.parseDouble(end.group(2));               // 3000 / the unrounded median
        assertTrue(rate >= 3000 / (secPerEpoch + 0.0005) - 0.5 && rate <= 3000 / (secPerEpoch - 0.0005) + 0.5,
                rate + " samples per second from " + secPerEpoch + " s per epoch");
        double accuracy = Double.parseDouble(end.group(3));
        assertTrue(accuracy > 0.3 && accuracy <= 1, "3 epochs of 3000 digits learn something: " + accuracy);
        assertTrue(Long.parseLong(end.group(4)) > 0);
        assertEquals(6, lines.size(), bench::toString);

        Result badNet = run(args("bench", "--data", mnist, "--net", "resnet"));
        assertEquals(2, badNet.status(), badNet::toString);
        assertTrue(badNet.err().contains("--net must be dense or cnn"), badNet::toString);
        Result noEpochs = run(args("bench", "--data", mnist, "--epochs", 0));
        assertEquals(2, noEpochs.status(), noEpochs::toString);
        assertTrue(noEpochs.err().contains("--epochs must be positive"), noEpochs::toString);
    }

    /** A printed number and the value it was printed from: equal to the printed digits. */
    private static void assertRounded(String printed, double value, String what) {
        int decimals = printed.contains(".") ? printed.length() - printed.indexOf('.') - 1 : 0;
        assertEquals(Double.parseDouble(printed), value, 0.5000001 * Math.pow(10, -decimals), what + ": " + printed);
    }

    /** The plot of a run with a test set: 900×540, the cost and the accuracy series each drawn across the plot. */
    static void assertPlotHasBothSeries(Path png) throws IOException {
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(900, image.getWidth());
        assertEquals(540, image.getHeight());
        for (Color colour : List.of(Plots.COST_COLOUR, Plots.ACCURACY_COLOUR)) {
            int count = 0;
            int minX = Integer.MAX_VALUE;
            int maxX = -1;
            for (int y = 0; y < image.getHeight(); y++) {
                for (int x = 0; x < image.getWidth(); x++) {
                    Color c = new Color(image.getRGB(x, y));
                    if (Math.abs(c.getRed() - colour.getRed()) + Math.abs(c.getGreen() - colour.getGreen())
                            + Math.abs(c.getBlue() - colour.getBlue()) < 30) {
                        count++;
                        minX = Math.min(minX, x);
                        maxX = Math.max(maxX, x);
                    }
                }
            }
            assertTrue(count >= 100, colour + ": " + count + " pixels");
            assertTrue(maxX - minX > image.getWidth() / 2, colour + " spans the epochs: x " + minX + ".." + maxX);
        }
    }

    /** Per class: precision over the predicted column, recall over the actual row of the confusion matrix. */
    static void assertPrecisionAndRecallFromTheConfusionMatrix(JsonNode report) {
        JsonNode confusion = report.get("confusion");
        int k = confusion.size();
        for (int c = 0; c < k; c++) {
            long row = 0;
            long column = 0;
            for (int o = 0; o < k; o++) {
                row += confusion.get(c).get(o).asLong();
                column += confusion.get(o).get(c).asLong();
            }
            JsonNode entry = report.get("classes").get(c);
            double diagonal = confusion.get(c).get(c).asDouble();
            assertEquals(row, entry.get("samples").asLong(), "samples of class " + c);
            if (column > 0) {
                assertEquals(diagonal / column, entry.get("precision").asDouble(), 1e-12, "precision of class " + c);
            }
            if (row > 0) {
                assertEquals(diagonal / row, entry.get("recall").asDouble(), 1e-12, "recall of class " + c);
            }
        }
    }

    @Test
    void evalCountsRowsAsActualClassesAndColumnsAsPredictedOnes() throws IOException {
        Path config = Fixtures.csvProject(dir);
        Path model = dir.resolve("m.richard");
        assertEquals(0, run(args("train", config, "--model", model, "--epochs", 3, "--progress", "none")).status());
        Result clean = run(args("eval", model, dir.resolve("test.csv"), "--format", "json"));
        assertEquals(1.0, JSON.readTree(clean.out()).get("accuracy").asDouble(), 0,
                "the two classes are apart (values 0-4 and 6-10): every test sample is classified right " + clean);
        // the same samples with the first three a's labelled b: those are actual b, predicted a
        List<String> rows = new ArrayList<>(Files.readAllLines(dir.resolve("test.csv")));
        int flipped = 0;
        int as = 0;
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).startsWith("a,")) {
                as++;
                if (flipped < 3) {
                    rows.set(i, "b," + rows.get(i).substring(2));
                    flipped++;
                }
            }
        }
        int bs = rows.size() - as;
        Path mislabelled = dir.resolve("mislabelled.csv");
        Files.write(mislabelled, rows);
        Result json = run(args("eval", model, mislabelled, "--format", "json"));
        assertEquals(0, json.status(), json::toString);
        JsonNode report = JSON.readTree(json.out());
        JsonNode confusion = report.get("confusion");
        assertEquals(List.of(List.of(as - 3, 0), List.of(3, bs)), List.of(
                List.of(confusion.get(0).get(0).asInt(), confusion.get(0).get(1).asInt()),
                List.of(confusion.get(1).get(0).asInt(), confusion.get(1).get(1).asInt())), report::toString);
        JsonNode a = report.get("classes").get(0);
        JsonNode b = report.get("classes").get(1);
        assertEquals((as - 3) / (double) as, a.get("precision").asDouble(), 1e-12, "of the " + as + " predicted a");
        assertEquals(1.0, a.get("recall").asDouble(), 0, "every actual a predicted a");
        assertEquals(1.0, b.get("precision").asDouble(), 0, "every predicted b is a b");
        assertEquals(bs / (bs + 3.0), b.get("recall").asDouble(), 1e-12, "of the " + (bs + 3) + " actual b");
        assertEquals(as - 3, a.get("samples").asInt());
        assertEquals((as - 3 + bs) / (double) rows.size(), report.get("accuracy").asDouble(), 1e-12);
        assertPrecisionAndRecallFromTheConfusionMatrix(report);

        Result text = run(args("eval", model, mislabelled));
        // the text's matrix: the row of actual a, then the row of actual b
        assertTrue(text.out().matches("(?s).*\\na\\s+" + (as - 3) + "\\s+0\\n.*"), text::toString);
        assertTrue(text.out().matches("(?s).*\\nb\\s+3\\s+" + bs + "\\n.*"), text::toString);
    }
}
