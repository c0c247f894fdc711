package io.richard.examples;

import java.io.PrintStream;
import io.richard.api.train.EpochResult;
import io.richard.api.train.TrainingListener;

/**
 * A training listener that draws a progress bar per epoch and prints the epoch's mean cost (15) when it ends.
 * On a terminal the bar redraws in place; elsewhere (a log, a test) it prints only the finished lines.
 */
public final class ProgressBar implements TrainingListener {

    private static final int WIDTH = 30;

    private final PrintStream out;
    private final boolean interactive = System.console() != null;
    private int drawn = -1;

    public ProgressBar(PrintStream out) {
        this.out = out;
    }

    @Override
    public void epochStarted(int epoch, int epochs, int samples) {
        drawn = -1;
    }

    @Override
    public void batchDone(int epoch, int samplesDone, int samples, double batchCost) {
        int filled = (int) ((long) WIDTH * samplesDone / Math.max(1, samples));
        if (interactive && filled != drawn) {           // redraw only when the bar grows
            drawn = filled;
            out.printf("\r  epoch %d [%s%s] %d/%d", epoch + 1, "#".repeat(filled), ".".repeat(WIDTH - filled),
                    samplesDone, samples);
            out.flush();
        }
    }

    @Override
    public void epochFinished(EpochResult r) {
        out.printf("%s  epoch %d/%d: %d samples, mean cost %.5f, %.1f s%s%n", interactive ? "\r" : "",
                r.epoch() + 1, r.epochs(), r.samples(), r.meanCost(), r.seconds(), r.stopped() ? " (stopped)" : "");
    }
}
