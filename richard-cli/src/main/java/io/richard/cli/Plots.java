package io.richard.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import io.richard.nd4j.io.OutputFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The training curves as a PNG chart (XChart, rendered headless). */
final class Plots {

    private Plots() {
    }

    /**
     * Draws the mean training cost per epoch (left axis) and, when there is a test set, the test accuracy (right
     * axis), and writes the chart as a PNG file, replacing {@code file} only once it is complete (a FIFO or a character
     * device is written through: {@link OutputFiles}).
     *
     * @return false if there is nothing to draw (no finished epoch)
     */
    static boolean write(Path file, List<EpochRecord> history, String title) {
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
            return false;
        }
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(900).height(540).title(title)
                .xAxisTitle("epoch").yAxisTitle("mean training cost").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setChartTitleVisible(true);
        chart.getStyler().setXAxisDecimalPattern("0");
        chart.getStyler().setMarkerSize(6);
        if (!epochs.isEmpty()) {
            XYSeries cost = chart.addSeries("training cost", epochs, costs);
            cost.setMarker(SeriesMarkers.CIRCLE);
        }
        if (!accuracyEpochs.isEmpty()) {
            XYSeries accuracy = chart.addSeries("test accuracy (%)", accuracyEpochs, accuracies);
            accuracy.setMarker(SeriesMarkers.DIAMOND);
            accuracy.setYAxisGroup(1);
            chart.setYAxisGroupTitle(1, "test accuracy (%)");
            chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
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
}
