package io.richard.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import io.richard.api.data.LabelledDataSet;
import io.richard.api.train.EpochResult;
import io.richard.api.train.TrainingListener;
import io.richard.nd4j.Evaluation;
import io.richard.nd4j.Network;
import io.richard.nd4j.train.EarlyStopping;

/**
 * Shows training progress and records every epoch: a live progress bar on a terminal (samples done, samples/s,
 * ETA, running mean cost), plain progress lines every ten seconds otherwise, one summary line per epoch (mean
 * cost, test accuracy and cost when there is a test set, time), and the metrics file.
 */
final class TrainingMonitor implements TrainingListener {

    /** How progress within an epoch is shown. */
    enum Mode { BAR, LINES, NONE }

    private static final long BAR_INTERVAL_NANOS = 100_000_000L;
    private static final long LINE_INTERVAL_NANOS = 10_000_000_000L;
    private static final int BAR_WIDTH = 20;

    private final Console console;
    private final Mode mode;
    private final Network network;
    private final LabelledDataSet test;
    /** Threads each test batch is split between ({@link EngineOptions#splitThreads}). */
    private final int testThreads;
    private final MetricsLog metrics;
    /** Evaluates the network on a test set held elsewhere (a cluster's), or null. */
    private final java.util.function.Function<Network, Evaluation> evaluator;
    /** Told every epoch's test result, or null without early stopping. */
    private final EarlyStopping stopping;
    private final List<EpochRecord> history = new ArrayList<>();
    private volatile boolean stopAfterEpoch;
    private Runnable requestStop;
    /** The report evaluating the test set after every epoch (one pass for both), or null. */
    private ReportWriter report;
    /** Called after every epoch's record is written, or null. */
    private java.util.function.Consumer<EpochRecord> afterEpoch;

    private long epochStart;
    private long lastShown;
    private double costSum;
    private int shownLength;
    private int epochs = 1;

    TrainingMonitor(Console console, Mode mode, Network network, LabelledDataSet test, int testThreads,
            MetricsLog metrics) {
        this(console, mode, network, test, testThreads, metrics, null);
    }

    /** A monitor that also tells {@code stopping} (when not null) each epoch's test result. */
    TrainingMonitor(Console console, Mode mode, Network network, LabelledDataSet test, int testThreads,
            MetricsLog metrics, EarlyStopping stopping) {
        this.stopping = stopping;
        this.console = console;
        this.testThreads = testThreads;
        this.mode = mode;
        this.network = network;
        this.test = test;
        this.metrics = metrics;
        this.evaluator = null;
    }

    /** A monitor whose test evaluation after every epoch is {@code evaluator}'s (none if null): a cluster's. */
    TrainingMonitor(Console console, Mode mode, Network network,
            java.util.function.Function<Network, Evaluation> evaluator, MetricsLog metrics) {
        this.console = console;
        this.testThreads = 1;
        this.mode = mode;
        this.network = network;
        this.test = null;
        this.metrics = metrics;
        this.evaluator = evaluator;
        this.stopping = null;
    }

    /** How to stop the training run after the current epoch (the reference's q): its trainer's requestStop. */
    void attach(Runnable value) {
        this.requestStop = value;
    }

    /**
     * Lets {@code testReport} (when not null) make the test-set evaluation after each epoch, so that the report and
     * the epoch line come from one pass, and calls {@code after} once each epoch's record is written.
     */
    void afterEpoch(ReportWriter testReport, java.util.function.Consumer<EpochRecord> after) {
        this.report = testReport;
        this.afterEpoch = after;
    }

    /** The reference's `q`: finish the current epoch, then stop. */
    void stopAfterEpoch() {
        stopAfterEpoch = true;
    }

    List<EpochRecord> history() {
        return List.copyOf(history);
    }

    @Override
    public void epochStarted(int epoch, int epochs, int samples) {
        this.epochs = epochs;
        epochStart = System.nanoTime();
        lastShown = epochStart;
        costSum = 0;
        if (mode == Mode.BAR) {
            drawBar(epoch, epochs, 0, samples);
        }
    }

    @Override
    public void batchDone(int epoch, int samplesDone, int samples, double batchCost) {
        costSum += batchCost;
        long now = System.nanoTime();
        if (mode == Mode.BAR && (now - lastShown >= BAR_INTERVAL_NANOS || samplesDone == samples)) {
            lastShown = now;
            drawBar(epoch, epochsPlanned(), samplesDone, samples);
        } else if (mode == Mode.LINES && now - lastShown >= LINE_INTERVAL_NANOS && samplesDone < samples) {
            lastShown = now;
            console.info(String.format(Locale.ROOT, "  epoch %d/%d: %s/%s samples (%d%%), %s, ETA %s, cost %s",
                    epoch + 1, epochsPlanned(), Text.count(samplesDone), Text.count(samples),
                    100L * samplesDone / Math.max(1, samples), rate(samplesDone, now), eta(samplesDone, samples, now),
                    Text.cost(costSum / samplesDone)));
        }
    }

    private int epochsPlanned() {
        return epochs;
    }

    @Override
    public void epochFinished(EpochResult result) {
        clearBar();
        Double accuracy = null;
        Double testCost = null;
        boolean best = false;
        if ((test != null || evaluator != null) && !result.stopped()) {
            Evaluation evaluation = evaluator != null ? evaluator.apply(network) : report != null
                    ? report.evaluate(network, test, TrainCommand.EVALUATION_BATCH, testThreads)
                    : network.evaluate(test, TrainCommand.EVALUATION_BATCH, testThreads);
            accuracy = finite(evaluation.accuracy());
            testCost = finite(evaluation.meanCost());
            if (stopping != null) {
                best = stopping.epochTested(result.epoch(), evaluation);
            }
        }
        Integer bestEpoch = stopping == null || stopping.bestEpoch().isEmpty() ? null
                : stopping.bestEpoch().getAsInt() + 1;
        EpochRecord record = new EpochRecord(result.epoch() + 1, result.epochs(), result.samples(),
                finite(result.meanCost()), accuracy, testCost, result.seconds(), result.stopped(), bestEpoch);
        history.add(record);
        if (metrics != null) {
            metrics.write(record);
        }
        console.result(summary(record) + (best ? "  best" : ""));
        if (afterEpoch != null) {
            afterEpoch.accept(record);
        }
        if (stopAfterEpoch && requestStop != null) {
            requestStop.run();
        }
    }

    /** "epoch  3/10  cost 0.0412340  test accuracy 91.20%  test cost 0.0401000  2.3 s". */
    static String summary(EpochRecord r) {
        int width = String.valueOf(r.epochs()).length();
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "epoch %" + width + "d/%d", r.epoch(),
                r.epochs()));
        line.append("  cost ").append(r.meanCost() == null ? "n/a" : Text.cost(r.meanCost()));
        if (r.testAccuracy() != null) {
            line.append("  test accuracy ").append(Text.percent(r.testAccuracy()));
        }
        if (r.testCost() != null) {
            line.append("  test cost ").append(Text.cost(r.testCost()));
        }
        line.append("  ").append(Text.duration(r.seconds()));
        if (r.stopped()) {
            line.append("  (stopped after ").append(Text.count(r.samples())).append(" samples)");
        }
        return line.toString();
    }

    private void drawBar(int epoch, int epochs, int done, int samples) {
        long now = System.nanoTime();
        int filled = samples == 0 ? BAR_WIDTH : (int) ((long) BAR_WIDTH * done / samples);
        StringBuilder bar = new StringBuilder();
        for (int i = 0; i < BAR_WIDTH; i++) {
            bar.append(i < filled ? '=' : i == filled ? '>' : ' ');
        }
        String text = String.format(Locale.ROOT, "epoch %d/%d [%s] %d/%d  %s  ETA %s  cost %s", epoch + 1, epochs, bar,
                done, samples, rate(done, now), eta(done, samples, now),
                done == 0 ? "-" : String.format(Locale.ROOT, "%.5f", costSum / done));
        int pad = Math.max(0, shownLength - text.length());
        console.progress("\r" + text + " ".repeat(pad));
        shownLength = text.length();
    }

    private void clearBar() {
        if (mode == Mode.BAR && shownLength > 0) {
            console.progress("\r" + " ".repeat(shownLength) + "\r");
            shownLength = 0;
        }
    }

    private String rate(int done, long now) {
        double seconds = (now - epochStart) / 1e9;
        return seconds <= 0 || done == 0 ? "-/s" : String.format(Locale.ROOT, "%.0f/s", done / seconds);
    }

    private String eta(int done, int samples, long now) {
        if (done == 0) {
            return "-:--";
        }
        double seconds = (now - epochStart) / 1e9;
        return Text.clock(seconds / done * (samples - done));
    }

    private static Double finite(double value) {
        return Double.isFinite(value) ? value : null;
    }
}
