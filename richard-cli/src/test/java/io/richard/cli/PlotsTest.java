package io.richard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Scale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;

/**
 * The training plot's content: the tick labels the chart actually draws (recorded while it is rendered) and the
 * pixels of each series in the picture, for one epoch, for many, and for random histories.
 */
class PlotsTest {

    /** A number as a person writes it on an axis: a leading digit, at most 5 significant digits. */
    private static final Pattern NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?");

    @TempDir
    Path dir;

    /** A rendered chart: its picture and the tick labels drawn on each axis. */
    private record Rendered(BufferedImage image, List<String> xLabels, List<String> yLabels) {
    }

    private static Rendered render(List<EpochRecord> history) {
        XYChart chart = Plots.chart(history, "t");
        assertNotNull(chart);
        List<String> x = new ArrayList<>();
        List<String> y = new ArrayList<>();
        Function<Double, String> xFormat = chart.getStyler().getxAxisTickLabelsFormattingFunction();
        Function<Double, String> yFormat = chart.getStyler().getyAxisTickLabelsFormattingFunction();
        chart.getStyler().setxAxisTickLabelsFormattingFunction(v -> record(x, xFormat.apply(v)));
        chart.getStyler().setyAxisTickLabelsFormattingFunction(v -> record(y, yFormat.apply(v)));
        return new Rendered(BitmapEncoder.getBufferedImage(chart), x, y);
    }

    private static String record(List<String> labels, String label) {
        labels.add(label);
        return label;
    }

    private static EpochRecord epoch(int epoch, Double cost, Double accuracy) {
        return new EpochRecord(epoch, 10, 100, cost, accuracy, accuracy == null ? null : 0.1, 1.0, false);
    }

    /** The pixels of the given colour: their count and the smallest and largest x. */
    private static int[] pixels(BufferedImage image, Color colour) {
        int count = 0;
        int minX = Integer.MAX_VALUE;
        int maxX = -1;
        for (int py = 0; py < image.getHeight(); py++) {
            for (int px = 0; px < image.getWidth(); px++) {
                Color c = new Color(image.getRGB(px, py));
                if (Math.abs(c.getRed() - colour.getRed()) + Math.abs(c.getGreen() - colour.getGreen())
                        + Math.abs(c.getBlue() - colour.getBlue()) < 30) {
                    count++;
                    minX = Math.min(minX, px);
                    maxX = Math.max(maxX, px);
                }
            }
        }
        return new int[] {count, minX, maxX};
    }

    private static void wellFormed(List<String> labels) {
        assertFalse(labels.isEmpty());
        for (String label : labels) {
            if (!label.isEmpty()) {
                assertTrue(NUMBER.matcher(label).matches(), "tick label '" + label + "' in " + labels);
                assertTrue(label.replace("-", "").replace(".", "").replaceFirst("^0+", "").length() <= 5,
                        "at most 5 significant digits: '" + label + "' in " + labels);
            }
        }
    }

    @Test
    void oneEpochIsAPointInTheMiddleWithWholeEpochTicksAndPlainValues() {
        Rendered r = render(List.of(epoch(1, 0.455020576000214, 0.9115)));
        wellFormed(r.yLabels());
        assertTrue(r.xLabels().contains("1"), r.xLabels().toString());
        for (String label : r.xLabels()) {
            assertTrue(label.isEmpty() || label.matches("[0-9]+"), "whole epochs only: " + r.xLabels());
        }
        assertFalse(String.join(" ", r.yLabels()).contains("0.455020576"), r.yLabels().toString());
        int[] cost = pixels(r.image(), Plots.COST_COLOUR);
        int[] accuracy = pixels(r.image(), Plots.ACCURACY_COLOUR);
        int middle = r.image().getWidth() / 2;
        for (int[] series : List.of(cost, accuracy)) {
            assertTrue(series[0] >= 20, "a visible marker: " + series[0] + " pixels");
            int centre = (series[1] + series[2]) / 2;
            assertTrue(Math.abs(centre - middle) < r.image().getWidth() / 10, "the point near the middle, x = "
                    + centre + " of " + r.image().getWidth());
        }
    }

    @Test
    void smallCostsKeepTheirLeadingZero() {
        List<EpochRecord> history = new ArrayList<>();
        double[] costs = {0.0912, 0.0794, 0.0716, 0.0655, 0.0602};
        for (int e = 0; e < costs.length; e++) {
            history.add(epoch(e + 1, costs[e], 0.88 + 0.01 * e));
        }
        Rendered r = render(history);
        wellFormed(r.yLabels());
        assertTrue(r.yLabels().stream().anyMatch(l -> l.startsWith("0.0")), r.yLabels().toString());
        int[] cost = pixels(r.image(), Plots.COST_COLOUR);
        assertTrue(cost[2] - cost[1] > r.image().getWidth() / 2, "the cost curve spans the plot: " + cost[1] + ".."
                + cost[2]);
    }

    @Test
    void theWrittenFileIsThePicture() throws Exception {
        Path file = dir.resolve("p.png");
        assertTrue(Plots.write(file, List.of(epoch(1, 0.3, null), epoch(2, 0.2, null)), "t"));
        BufferedImage image = ImageIO.read(file.toFile());
        assertEquals(900, image.getWidth());
        assertEquals(540, image.getHeight());
        assertTrue(pixels(image, Plots.COST_COLOUR)[0] > 100);
        assertEquals(0, pixels(image, Plots.ACCURACY_COLOUR)[0], "no accuracy series without a test set");
        assertFalse(Plots.write(dir.resolve("none.png"), List.of(), "t"));
        assertFalse(Files.exists(dir.resolve("none.png")));
    }

    @Property(tries = 40, seed = "20261206")
    void everyHistoryGivesReadableTicksAndVisibleSeries(@ForAll @IntRange(min = 1, max = 30) int epochs,
                                                        @ForAll @DoubleRange(min = 1e-6, max = 2) @Scale(8) double start,
                                                        @ForAll @DoubleRange(min = 0.2, max = 1) double decay,
                                                        @ForAll boolean withTest, @ForAll boolean flat) {
        List<EpochRecord> history = new ArrayList<>();
        for (int e = 1; e <= epochs; e++) {
            double cost = flat ? start : start * Math.pow(decay, e - 1);
            history.add(epoch(e, cost, withTest ? (flat ? 0.5 : Math.min(1, 0.1 * e)) : null));
        }
        Rendered r = render(history);
        wellFormed(r.yLabels());
        assertTrue(r.yLabels().stream().distinct().count() >= 2, "at least two distinct ticks: " + r.yLabels());
        assertTrue(pixels(r.image(), Plots.COST_COLOUR)[0] >= 20);
        assertEquals(withTest, pixels(r.image(), Plots.ACCURACY_COLOUR)[0] >= 20);
    }
}
