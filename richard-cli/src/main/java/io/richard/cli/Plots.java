package io.richard.cli;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import io.richard.nd4j.io.OutputFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The training curves as a PNG chart (XChart, rendered headless). */
final class Plots {

    private Plots() {
    }

    /** The cost series' colour, and the accuracy series' (also what tests look for in the picture). */
    static final Color COST_COLOUR = new Color(31, 119, 180);
    static final Color ACCURACY_COLOUR = new Color(214, 39, 40);

    /**
     * Draws the mean training cost per epoch (left axis) and, when there is a test set, the test accuracy (right
     * axis), and writes the chart as a PNG file, replacing {@code file} only once it is complete (a FIFO or a character
     * device is written through: {@link OutputFiles}).
     *
     * @return false if there is nothing to draw (no finished epoch)
     */
    static boolean write(Path file, List<EpochRecord> history, String title) {
        XYChart chart = chart(history, title);
        if (chart == null) {
            return false;
        }
        byte[] png;
        try {
            png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot draw the plot " + file + ": " + e.getMessage(), e);
        }
        OutputFiles.write(file, "plot", out -> out.write(png));
        return true;
    }

    /** The chart of {@link #write}, or null if there is nothing to draw. */
    static XYChart chart(List<EpochRecord> history, String title) {
        List<Double> epochs = new ArrayList<>();
        List<Double> costs = new ArrayList<>();
        List<Double> accuracyEpochs = new ArrayList<>();
        List<Double> accuracies = new ArrayList<>();
        for (EpochRecord record : history) {
            if (record.meanCost() != null && Double.isFinite(record.meanCost())) {
                epochs.add((double) record.epoch());
                costs.add(record.meanCost());
            }
            if (record.testAccuracy() != null && Double.isFinite(record.testAccuracy())) {
                accuracyEpochs.add((double) record.epoch());
                accuracies.add(100 * record.testAccuracy());
            }
        }
        if (epochs.isEmpty() && accuracyEpochs.isEmpty()) {
            return null;
        }
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(900).height(540).title(title)
                .xAxisTitle("epoch").yAxisTitle("mean training cost").build();
        XYStyler styler = chart.getStyler();
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setLegendLayout(Styler.LegendLayout.Horizontal);
        styler.setChartTitleVisible(true);
        styler.setMarkerSize(7);
        // Tick labels: whole epochs only; values with at most 5 significant digits and their leading zero.
        styler.setxAxisTickLabelsFormattingFunction(Plots::epochTick);
        styler.setyAxisTickLabelsFormattingFunction(Plots::valueTick);
        List<Double> allEpochs = new ArrayList<>(epochs);
        allEpochs.addAll(accuracyEpochs);
        double first = allEpochs.stream().mapToDouble(Double::doubleValue).min().orElse(1);
        double last = allEpochs.stream().mapToDouble(Double::doubleValue).max().orElse(1);
        if (first == last) {                                  // one epoch: a point in the middle, whole-epoch ticks
            styler.setXAxisMin(first - 1);
            styler.setXAxisMax(last + 1);
        }
        if (!epochs.isEmpty()) {
            XYSeries cost = chart.addSeries("training cost", epochs, costs);
            cost.setMarker(SeriesMarkers.CIRCLE);
            cost.setLineColor(COST_COLOUR);
            cost.setMarkerColor(COST_COLOUR);
            range(costs, 0, Double.POSITIVE_INFINITY).ifPresent(r -> {
                styler.setYAxisMin(0, r[0]);
                styler.setYAxisMax(0, r[1]);
            });
        }
        if (!accuracyEpochs.isEmpty()) {
            XYSeries accuracy = chart.addSeries("test accuracy (%)", accuracyEpochs, accuracies);
            accuracy.setMarker(SeriesMarkers.DIAMOND);
            accuracy.setLineColor(ACCURACY_COLOUR);
            accuracy.setMarkerColor(ACCURACY_COLOUR);
            int group = epochs.isEmpty() ? 0 : 1;
            accuracy.setYAxisGroup(group);
            chart.setYAxisGroupTitle(group, "test accuracy (%)");
            if (group == 1) {
                styler.setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
            }
            range(accuracies, 0, 100).ifPresent(r -> {
                styler.setYAxisMin(group, r[0]);
                styler.setYAxisMax(group, r[1]);
            });
        }
        return chart;
    }

    /**
     * An explicit axis range for values that are all equal (one epoch, or a flat curve), where the chart's own
     * would be empty and its ticks meaningless: from {@code lowest} to a quarter above the value, or to
     * {@code highest} when that is finite (a percentage: 0 to 100); empty when the values span a range.
     */
    static java.util.Optional<double[]> range(List<Double> values, double lowest, double highest) {
        double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        if (max > min) {
            return java.util.Optional.empty();
        }
        double top = Double.isFinite(highest) ? highest : max > lowest ? lowest + 1.25 * (max - lowest) : lowest + 1;
        return java.util.Optional.of(new double[] {Math.min(lowest, min), Math.max(top, max)});
    }

    /** "3" for a whole epoch, nothing between epochs. */
    static String epochTick(Double value) {
        double rounded = Math.rint(value);
        return Math.abs(value - rounded) < 1e-9 ? Long.toString((long) rounded) : "";
    }

    /** A tick value with at most 5 significant digits, its leading zero and no rounding noise: 0.08, 91.2, 0.0297. */
    static String valueTick(Double value) {
        if (value == 0 || !Double.isFinite(value)) {
            return "0";
        }
        return new BigDecimal(value).round(new MathContext(5)).stripTrailingZeros().toPlainString();
    }
}
