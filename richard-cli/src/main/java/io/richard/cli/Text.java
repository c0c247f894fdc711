package io.richard.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import io.richard.api.Quote;
import io.richard.api.spec.LayerSpec;
import io.richard.api.spec.ModelSpec;

/** Number and model formatting for messages. */
final class Text {

    private Text() {
    }

    /** 10000 as "10,000". */
    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** 0.9123 as "91.23%". */
    static String percent(double fraction) {
        return Double.isNaN(fraction) ? "n/a" : String.format(Locale.ROOT, "%.2f%%", 100 * fraction);
    }

    /** A cost with 6 significant digits, as the reference prints it. */
    static String cost(double cost) {
        return Double.isNaN(cost) ? "n/a" : String.format(Locale.ROOT, "%.6g", cost);
    }

    /** Seconds as "2.3 s", "1:05" or "1:02:03". */
    static String duration(double seconds) {
        if (seconds < 60) {
            return String.format(Locale.ROOT, "%.1f s", seconds);
        }
        return clock(seconds);
    }

    /** Seconds as "0:42", "12:05" or "1:02:03". */
    static String clock(double seconds) {
        long s = Math.round(seconds);
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
        }
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /**
     * How far training got, counted from its very start: "1 epoch and 96 samples", "2 epochs", "96 samples", or
     * "no mini-batch" before the first one.
     *
     * @param epochs  whole epochs done
     * @param samples samples of the next epoch done
     */
    static String position(int epochs, int samples) {
        List<String> parts = new ArrayList<>();
        if (epochs > 0) {
            parts.add(count(epochs) + (epochs == 1 ? " epoch" : " epochs"));
        }
        if (samples > 0) {
            parts.add(count(samples) + (samples == 1 ? " sample" : " samples"));
        }
        return parts.isEmpty() ? "no mini-batch" : String.join(" and ", parts);
    }

    /** The layers in one line, e.g. "[784, 1, 1] → dense 320 → dense 64 → output 10". */
    static String network(ModelSpec model) {
        List<String> parts = new ArrayList<>();
        parts.add(model.inputShape().toString());
        for (LayerSpec layer : model.network().layers()) {
            parts.add(layer.describe());
        }
        return String.join(" → ", parts);
    }

    /** Classes for a message: all of them, or the first ten and a count. */
    static String classes(List<String> classes) {
        List<String> shown = classes.stream().limit(classes.size() <= 12 ? 12 : 10).map(Quote::text).toList();
        if (classes.size() <= 12) {
            return String.join(", ", shown);
        }
        return String.join(", ", shown) + ", … (" + classes.size() + " classes)";
    }
}
