package io.richard.cli;

import static io.richard.cli.Fixtures.args;
import static io.richard.cli.Fixtures.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.richard.api.Shape;
import io.richard.cli.Fixtures.Result;
import io.richard.nd4j.Evaluation;
import io.richard.nd4j.Network;
import io.richard.nd4j.data.InMemoryDataSet;
import io.richard.nd4j.io.Models;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The HTML report without a browser: its numbers, pictures, the commands' outputs and their errors. */
class ReportTest {

    @TempDir
    Path dir;

    @Test
    void ticksAreRoundNumbersCoveringTheValues() {
        ReportPage.Ticks t = ReportPage.ticks(0.1534, 0.4721, 5, 0);
        assertEquals("0.15", t.label(0));
        assertEquals("0.05", t.step().toPlainString());
        assertTrue(t.lo() <= 0.1534 && t.hi() >= 0.4721, t.toString());
        assertEquals("0.5", t.label(t.count() - 1));
        ReportPage.Ticks epochs = ReportPage.ticks(1, 30, 8, 1);
        assertEquals("5", epochs.step().toPlainString());
        ReportPage.Ticks single = ReportPage.ticks(0.25, 0.25, 5, 0);      // one value: a range around it
        assertTrue(single.lo() < 0.25 && single.hi() > 0.25, single.toString());
        ReportPage.Ticks small = ReportPage.ticks(2e-6, 9e-6, 5, 0);
        assertEquals("0.000002", small.label(0));
    }

    @Test
    void samplesAreDrawnWithXFastestThenYThenChannel() {
        float[] grey = {0, 0.2f, 0.4f, 0.6f, 0.8f, 1};                 // [3, 2, 1]: rows (0, .2, .4) and (.6, .8, 1)
        BufferedImage g = ReportPage.sampleImage(grey, new Shape(3, 2, 1));
        assertEquals(3, g.getWidth());
        assertEquals(2, g.getHeight());
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 3; x++) {
                int v = Math.round(255 * grey[y * 3 + x]);
                assertEquals(v << 16 | v << 8 | v, g.getRGB(x, y) & 0xffffff, "pixel " + x + "," + y);
            }
        }
        float[] rgb = new float[2 * 1 * 3];                               // [2, 1, 3]: planes R, G, B
        rgb[0] = 1;                                                        // (0, 0) red
        rgb[2 + 1] = 1;                                                    // (1, 0) green
        rgb[4 + 1] = 0.5f;                                                 // (1, 0) half blue
        BufferedImage c = ReportPage.sampleImage(rgb, new Shape(2, 1, 3));
        assertEquals(0xff0000, c.getRGB(0, 0) & 0xffffff);
        assertEquals(0x00ff80, c.getRGB(1, 0) & 0xffffff);
        BufferedImage two = ReportPage.sampleImage(new float[] {1, 0, 0, 1}, new Shape(2, 1, 2));   // side by side
        assertEquals(5, two.getWidth());
        assertEquals(0xffffff, two.getRGB(0, 0) & 0xffffff);
        assertEquals(0, two.getRGB(1, 0) & 0xffffff);
        assertEquals(0, two.getRGB(3, 0) & 0xffffff);
        assertEquals(0xffffff, two.getRGB(4, 0) & 0xffffff);
    }

    @Test
    void theMistakesShownAreTheMostConfidentlyWrongOnes() {
        Random random = new Random(7);
        int n = 300;
        float[][] samples = new float[n][];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            samples[i] = new float[] {random.nextFloat(), random.nextFloat(), random.nextFloat(), random.nextFloat()};
            labels[i] = random.nextInt(3);
        }
        InMemoryDataSet data = InMemoryDataSet.of(List.of("a", "b", "c"), new Shape(2, 2, 1), samples, labels);
        Network network = Network.create(new Shape(2, 2, 1), io.richard.api.spec.NetworkSpec.builder()
                .hyperparams(1, n, 10).dense(5, 0.1).output(3, 0.1), 3, DataType.FLOAT);
        ReportAnalysis analysis = ReportAnalysis.of(network, data, 64, 1, 7);

        INDArray outputs = network.output(data.features());
        int[] predicted = network.predict(data.features());
        List<Integer> wrong = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (predicted[i] != labels[i]) {
                wrong.add(i);
            }
        }
        wrong.sort(Comparator.comparingDouble((Integer i) -> -outputs.getFloat(i, predicted[i]))
                .thenComparingInt(i -> i));
        Evaluation evaluation = network.evaluate(data, 64);
        assertEquals(evaluation.correct(), analysis.evaluation().correct());
        assertEquals(7, analysis.mistakes().size());
        for (int k = 0; k < 7; k++) {
            ReportAnalysis.Mistake m = analysis.mistakes().get(k);
            int i = wrong.get(k);
            assertEquals(i, m.index(), "mistake " + k);
            assertEquals(labels[i], m.actual());
            assertEquals(predicted[i], m.predicted());
            assertEquals(outputs.getFloat(i, predicted[i]), m.predictedOutput());
            assertEquals(outputs.getFloat(i, labels[i]), m.actualOutput());
            assertArrayEquals(samples[i], m.values());
        }
        assertEquals(null, analysis.kernels(), "a dense network has no kernels to draw");
    }

    @Test
    void metricsFilesAreReadLeniently() throws IOException {
        Path metrics = dir.resolve("m.metrics.jsonl");
        Files.writeString(metrics, """
                {"epoch":1,"epochs":3,"samples":10,"meanCost":0.5,"testAccuracy":0.5,"testCost":0.4,"seconds":1.0,"stopped":false}
                {"epoch":2,"epochs":3,"samples":4,"meanCost":0.45,"seconds":0.4,"stopped":true}
                {"epoch":2,"epochs":3,"samples":10,"meanCost":0.3,"testAccuracy":0.7,"testCost":0.25,"seconds":1.0,"stopped":false}
                {"epoch":3,"epo
                """);
        List<EpochRecord> records = ReportWriter.readMetrics(metrics);
        assertEquals(2, records.size(), "the line cut short is skipped, epoch 2's last record kept");
        assertEquals(0.3, records.get(1).meanCost());
        assertFalse(records.get(1).stopped());
        assertEquals(null, new EpochRecord(1, 1, 1, null, null, null, 0, false).testAccuracy());
    }

    @Test
    void reportOfAFlatIdxModelDrawsItsDigitsAndEscapesText() throws IOException {
        Path config = Fixtures.idxProject(dir);
        Path model = dir.resolve("m.richard");
        assertEquals(0, run(args("train", config, "-o", model, "--epochs", 2, "--progress", "none")).status());
        Result report = run(args("report", model, dir.resolve("mnist"), "-o", dir.resolve("r.html")));
        assertEquals(0, report.status(), report::toString);
        assertTrue(report.out().contains("report written to " + dir.resolve("r.html")), report::toString);
        String html = Files.readString(dir.resolve("r.html"));
        assertTrue(html.contains("From the metrics file " + model + ".metrics.jsonl"), "curves from beside the model");
        assertEquals(6, count(html, "<circle"), "training and test cost of 2 epochs, and 2 accuracies");
        assertFalse(html.contains("http-equiv=\"refresh\""), "a finished report does not reload itself");
        assertFalse(html.contains("id=\"kernels\""), "no kernels for a dense network");
        assertFalse(html.contains("<script"), "no script");
        assertFalse(Pattern.compile("(src|href)=\"(?!data:)").matcher(html).find(), "nothing but data: URLs");
        // [36, 1, 1] read from 6×6 IDX images: the mistakes are drawn as 6×6 pictures
        Matcher images = Pattern.compile("<img alt=\"sample (\\d+)\" width=\"(\\d+)\" height=\"(\\d+)\"").matcher(html);
        int drawn = 0;
        while (images.find()) {
            assertEquals(images.group(2), images.group(3), "square pictures");
            drawn++;
        }
        Network network = Models.load(model).network();
        Evaluation e = network.evaluate(DataSources.load(dir.resolve("mnist"), network.model().data(), 16, false,
                Integer.MAX_VALUE, DataSources.Role.TEST).data(), 16);
        assertEquals(Math.min(24, e.samples() - e.correct()), drawn);

        Files.writeString(dir.resolve("escape.yaml"), Fixtures.CSV_CONFIG.replace("classes: [a, b]",
                "classes: [\"<b>x</b>\", \"a&b\"]").replace("train.csv", "e-train.csv").replace("test.csv", "e-test.csv"));
        Files.writeString(dir.resolve("e-train.csv"), Fixtures.csvRows(20, new Random(1), true)
                .replace("a,", "<b>x</b>,").replace("b,", "a&b,"));
        Files.copy(dir.resolve("e-train.csv"), dir.resolve("e-test.csv"));
        Path escaped = dir.resolve("e.html");
        Result train = run(args("train", dir.resolve("escape.yaml"), "-o", dir.resolve("e.richard"), "--report", escaped,
                "--progress", "none"));
        assertEquals(0, train.status(), train::toString);
        String page = Files.readString(escaped);
        assertTrue(page.contains("&lt;b&gt;x&lt;/b&gt;") && page.contains("a&amp;b"), "labels escaped");
        assertFalse(page.contains("<b>x</b>"), "no label as markup");
    }

    @Test
    void trainWritesTheReportAfterEveryEpochAndAtTheEnd() throws Exception {
        Path config = Fixtures.csvProject(dir);
        Path fifo = dir.resolve("live.html");
        org.junit.jupiter.api.Assumptions.assumeTrue(HostileOutputPropertyTest.run("mkfifo", fifo.toString()),
                "mkfifo is needed to see every write");
        List<byte[]> documents;
        Result train;
        try (HostileOutputPropertyTest.FifoReader reader = new HostileOutputPropertyTest.FifoReader(fifo)) {
            train = run(args("train", config, "-o", dir.resolve("m.richard"), "--epochs", 3, "--report", fifo,
                    "--progress", "none"));
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (pages(reader.streams()).size() < 4 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            // a write that opens the FIFO again while the reader still holds it open lands in the same stream, so the
            // documents are told apart by their start, not by the reader's openings
            documents = pages(reader.streams());
        }
        assertEquals(0, train.status(), train::toString);
        assertEquals(4, documents.size(), "one report per epoch and the final one");
        for (int k = 0; k < 4; k++) {
            String html = new String(documents.get(k), StandardCharsets.UTF_8);
            assertTrue(html.startsWith("<!DOCTYPE html>") && html.endsWith("</html>\n"), "whole document " + k);
            boolean live = k < 3;
            assertEquals(live, html.contains("Training in progress: epoch " + (k + 1) + " of 3 done."), "status " + k);
            assertEquals(live, html.contains("<meta http-equiv=\"refresh\" content=\"30\">"), "reload " + k);
            String chart = html.substring(html.indexOf("id=\"accuracy-chart\""));
            Matcher epochTicks = Pattern.compile("text-anchor=\"middle\">(\\d+)</text>").matcher(
                    chart.substring(0, chart.indexOf("</svg>")));
            List<String> ticks = new ArrayList<>();
            while (epochTicks.find()) {
                ticks.add(epochTicks.group(1));
            }
            assertEquals(k == 0 ? List.of("1") : List.of("1", "2", "3").subList(0, Math.min(k + 1, 3)), ticks,
                    "epoch ticks of report " + k + ": the epochs trained, no 0");
            int accuracy = html.indexOf("data-series=\"test accuracy\"");
            assertEquals(Math.min(k + 1, 3), count(html.substring(accuracy, html.indexOf("</g>", accuracy)), "<circle"),
                    "accuracy points in report " + k);
        }
    }

    @Test
    void badInputIsOneLineAndWritesNothing() throws IOException {
        Path config = Fixtures.csvProject(dir);
        Path model = dir.resolve("m.richard");
        assertEquals(0, run(args("train", config, "-o", model, "--epochs", 1, "--progress", "none")).status());
        Path out = dir.resolve("r.html");
        List<Object[]> cases = List.of(
                new Object[] {"report", dir.resolve("missing.richard"), dir.resolve("test.csv"), "-o", out},
                new Object[] {"report", config, dir.resolve("test.csv"), "-o", out},
                new Object[] {"report", model, dir.resolve("missing.csv"), "-o", out},
                new Object[] {"report", model, dir.resolve("test.csv"), "-o", dir},
                new Object[] {"report", model, dir.resolve("test.csv"), "-o", model},
                new Object[] {"report", model, dir.resolve("test.csv"), "-o", dir.resolve("test.csv")},
                new Object[] {"report", model, dir.resolve("test.csv"), "-o", out, "--metrics", dir.resolve("none.jsonl")},
                new Object[] {"report", model, dir.resolve("test.csv"), "-o", out, "--mistakes", -1},
                new Object[] {"report", model, dir.resolve("test.csv"), "-o", dir.resolve("test.csv/r.html")},
                new Object[] {"train", config, "-o", dir.resolve("n.richard"), "--report", config});
        String modelBytes = Files.readString(model, StandardCharsets.ISO_8859_1);
        for (Object[] arguments : cases) {
            Result r = run(args(arguments));
            assertEquals(2, r.status(), r::toString);
            assertTrue(r.err().startsWith("richard: error: ") && r.err().strip().lines().count() == 1, r::toString);
            assertFalse(Files.exists(out), "no report written: " + r);
            assertFalse(Files.exists(dir.resolve("n.richard")), "no model written: " + r);
        }
        assertEquals(modelBytes, Files.readString(model, StandardCharsets.ISO_8859_1));
        assertTrue(Files.readString(config).startsWith("data:"), "the config is untouched");
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.map(p -> p.getFileName().toString()).filter(f -> f.startsWith("."))
                    .toList(), "no temporary or lock file left");
        }
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    /** The HTML documents in what went through the FIFO, each from its {@code <!DOCTYPE html>} on. */
    private static List<byte[]> pages(List<byte[]> streams) {
        List<byte[]> pages = new ArrayList<>();
        for (byte[] stream : streams) {
            String text = new String(stream, StandardCharsets.UTF_8);
            for (String page : text.split("(?=<!DOCTYPE html>)")) {
                if (!page.isEmpty()) {
                    pages.add(page.getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        return pages;
    }
}
