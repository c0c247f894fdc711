package io.richard.cli;

import static io.richard.cli.Fixtures.args;
import static io.richard.cli.Fixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.imageio.ImageIO;
import com.fasterxml.jackson.databind.JsonNode;
import io.richard.cli.Fixtures.Result;
import io.richard.nd4j.Evaluation;
import io.richard.nd4j.Network;
import io.richard.nd4j.io.Models;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training report in a real browser: Debian's headless {@code chromium}, driven over the DevTools protocol
 * ({@link HeadlessChromium}). A small CNN is trained on the shipped MNIST digits with {@code --report}; the page must
 * render (a screenshot with the charts' and heat map's colours in it), hold every part with the right numbers, make
 * no network request and log no error. Skipped only when no chromium is installed and CI is not set; {@code .ci/run}
 * installs it. The screenshot is kept in {@code target/report-browser/} for people to look at.
 */
class ReportBrowserTest {

    private static final int WIDTH = 1200;

    private static HeadlessChromium browser;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBrowser() throws IOException, InterruptedException {
        Optional<Path> chromium = HeadlessChromium.find();
        if (chromium.isEmpty()) {
            String ci = System.getenv("CI");
            if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false") && !ci.equals("0")) {
                fail("CI=" + ci + " but no chromium on the PATH: .ci/run installs Debian's chromium (apt-get install"
                        + " chromium); the report's browser test must run in CI");
            }
            Assumptions.abort("no chromium on the PATH (Debian: apt-get install chromium, or set RICHARD_CHROMIUM):"
                    + " the report's browser test is skipped");
        }
        browser = HeadlessChromium.start(chromium.get());
    }

    @AfterAll
    static void stopBrowser() throws IOException {
        if (browser != null) {
            browser.close();
        }
    }

    static final String CNN_CONFIG = """
            data:
              classes: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]
              shape: [28, 28, 1]
              normalization: {min: 0, max: 255}
            dataLoader:
              fetchSize: 256
            classifier:
              network:
                hyperparams: {epochs: 2, batchSize: 400, miniBatchSize: 16}
                hiddenLayers:
                  - {type: convolutional, depth: 4, kernelSize: [5, 5], learnRate: 0.01}
                  - {type: maxPooling, regionSize: [2, 2]}
                outputLayer: {size: 10, learnRate: 0.05}
            training:
              data: %1$s
              test: %1$s
            """;

    /** Counts in the page, what it loaded and what it looks like. */
    private static final String DOM_QUERY = """
            (() => {
              const q = s => [...document.querySelectorAll(s)];
              const n = t => Number(t.replace(/,/g, ''));
              const rows = q('#confusion tbody tr').map(r => [...r.querySelectorAll('td')].map(td => n(td.textContent)));
              const loaded = (imgs, w, h) => imgs.filter(i => i.complete && i.naturalWidth === w && i.naturalHeight === h).length;
              const tooWide = q('section').filter(s => s.scrollWidth > s.clientWidth + 1).map(s => s.id);
              return {
                title: document.title,
                sections: q('main section').map(s => s.id),
                confusion: rows,
                scoreRows: q('#classes tbody tr').length,
                mistakes: q('#mistakes figure.sample').length,
                mistakeImages: loaded(q('#mistakes img'), 28, 28),
                captions: q('#mistakes figcaption').map(f => f.textContent),
                kernels: loaded(q('#kernels img'), 5, 5),
                layerRows: q('#network tbody tr').map(r => r.textContent),
                costPoints: q('#cost-chart circle').length,
                accuracyPoints: q('#accuracy-chart circle').length,
                accuracy: document.querySelector('[data-card=accuracy] .v').textContent,
                scripts: q('script').length,
                pageWidth: document.documentElement.scrollWidth,
                tooWide: tooWide,
                status: q('#status').length
              };
            })()
            """;

    @Test
    void trainedCnnReportRendersWithEveryPartAndNoRequest() throws Exception {
        Path mnist = Home.root().orElseThrow().resolve("richard-examples/data/mnist");
        Path config = dir.resolve("cnn.yaml");
        Files.writeString(config, CNN_CONFIG.formatted("\"" + mnist.toString().replace("\\", "/") + "\""));
        Path model = dir.resolve("cnn.richard");
        Path report = dir.resolve("report.html");
        Result train = run(args("train", config, "-o", model, "--report", report, "--progress", "none"));
        assertEquals(0, train.status(), train::toString);
        assertTrue(train.err().contains("report written to " + report), train::toString);

        Network network = Models.load(model).network();
        DataSources.Loaded test = DataSources.load(mnist, network.model().data(), 256, false, Integer.MAX_VALUE,
                DataSources.Role.TEST);
        Evaluation evaluation = network.evaluate(test.data(), 256);
        int wrong = evaluation.samples() - evaluation.correct();
        assertTrue(wrong > 0, "a network trained on 2 × 400 digits makes mistakes to show");

        HeadlessChromium.Page page = browser.open(report, WIDTH, 900, DOM_QUERY);
        Path kept = Path.of("target", "report-browser");
        Files.createDirectories(kept);
        Files.write(kept.resolve("cnn-report.png"), page.screenshot());
        Files.copy(report, kept.resolve("cnn-report.html"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        assertTrue(page.requests().contains(page.url()), "the page's own load is recorded: " + page.requests());
        assertEquals(List.of(), page.networkRequests(), "the report must load nothing from anywhere");
        assertEquals(List.of(), page.problems(), () -> "console errors or failed loads; browser said:\n" + browser.output());

        JsonNode dom = page.dom();
        assertEquals("cnn.richard · richard training report", dom.path("title").asText());
        assertEquals(List.of("curves", "confusion", "classes", "mistakes", "network", "kernels"),
                texts(dom.path("sections")));
        assertEquals(0, dom.path("scripts").asInt());
        assertEquals(0, dom.path("status").asInt(), "the final report says nothing of training in progress");
        // the confusion matrix holds the counts of an evaluation of the saved model
        JsonNode rows = dom.path("confusion");
        assertEquals(10, rows.size());
        for (int a = 0; a < 10; a++) {
            assertEquals(10, rows.get(a).size());
            for (int p = 0; p < 10; p++) {
                assertEquals(evaluation.confusion()[a][p], rows.get(a).get(p).asLong(), "confusion[" + a + "][" + p + "]");
            }
        }
        assertEquals(Text.percent(evaluation.accuracy()), dom.path("accuracy").asText());
        assertEquals(10, dom.path("scoreRows").asInt());
        int shown = Math.min(ReportAnalysis.DEFAULT_MISTAKES, wrong);
        assertEquals(shown, dom.path("mistakes").asInt());
        assertEquals(shown, dom.path("mistakeImages").asInt(), "every mistake drawn as a loaded 28×28 image");
        for (JsonNode caption : dom.path("captions")) {
            assertTrue(caption.asText().matches("#\\d+ \\d → \\d\\d\\.\\d\\d vs \\d\\.\\d\\d"), caption.asText());
        }
        assertEquals(4, dom.path("kernels").asInt(), "the 4 kernels of 5×5 drawn as loaded images");
        assertEquals(4, dom.path("layerRows").size(), "input, conv, maxpool and output rows");
        assertTrue(dom.path("layerRows").get(1).asText().contains("conv 4@5×5"), dom.path("layerRows").toString());
        assertEquals(4, dom.path("costPoints").asInt(), "training and test cost for 2 epochs");
        assertEquals(2, dom.path("accuracyPoints").asInt());
        assertTrue(dom.path("pageWidth").asInt() <= WIDTH, "no horizontal scrolling at " + WIDTH + " px");
        assertEquals(List.of(), texts(dom.path("tooWide")), "sections whose content overflows them");

        BufferedImage shot = ImageIO.read(new ByteArrayInputStream(page.screenshot()));
        assertEquals(WIDTH, shot.getWidth());
        assertTrue(shot.getHeight() > 1500, "the whole page: " + shot.getHeight() + " px high");
        assertTrue(share(shot, 0xf3f5f8, 0xffffff) < 0.9, "more than background and panels in the picture");
        assertTrue(colours(shot) > 200, "a page of text, charts and images has many colours");
        assertTrue(count(shot, 0x1f6fb4) > 100, "the training-cost line is drawn");
        assertTrue(count(shot, 0x1a9641) > 100, "the accuracy line is drawn");
    }

    @Test
    void theChecksSeeRequestsAndErrors() throws Exception {
        Path bad = dir.resolve("bad.html");
        Files.writeString(bad, "<!DOCTYPE html><html><head><title>bad</title></head><body><p>text</p>"
                + "<img src=\"http://127.0.0.1:9/none.png\"><script>console.error('boom')</script></body></html>");
        HeadlessChromium.Page page = browser.open(bad, 400, 300, "document.title");
        assertEquals(List.of("http://127.0.0.1:9/none.png"), page.networkRequests());
        assertTrue(page.problems().stream().anyMatch(p -> p.contains("boom")), page.problems().toString());
        assertEquals("bad", page.dom().asText());
    }

    private static List<String> texts(JsonNode array) {
        List<String> list = new java.util.ArrayList<>();
        array.forEach(n -> list.add(n.asText()));
        return list;
    }

    /** The share of pixels that are one of the given colours. */
    private static double share(BufferedImage image, int... rgb) {
        long n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int p = image.getRGB(x, y) & 0xffffff;
                for (int c : rgb) {
                    if (p == c) {
                        n++;
                        break;
                    }
                }
            }
        }
        return (double) n / ((long) image.getWidth() * image.getHeight());
    }

    /** Pixels within a small distance of a colour (anti-aliasing blends the edges). */
    private static long count(BufferedImage image, int rgb) {
        long n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int p = image.getRGB(x, y);
                int dr = (p >> 16 & 0xff) - (rgb >> 16 & 0xff);
                int dg = (p >> 8 & 0xff) - (rgb >> 8 & 0xff);
                int db = (p & 0xff) - (rgb & 0xff);
                if (dr * dr + dg * dg + db * db < 12 * 12) {
                    n++;
                }
            }
        }
        return n;
    }

    private static int colours(BufferedImage image) {
        Set<Integer> seen = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                seen.add(image.getRGB(x, y) & 0xffffff);
            }
        }
        return seen.size();
    }
}
