package io.richard.cli;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import io.richard.api.Shape;
import io.richard.api.spec.Hyperparams;
import io.richard.api.spec.LayerSpec;
import io.richard.api.spec.ModelSpec;
import io.richard.nd4j.Evaluation;

/**
 * The training report as one self-contained HTML page: the training curves (SVG drawn here), the confusion matrix as
 * a heat map, per-class precision and recall, the most confidently wrong samples as images, the layer table and a
 * convolutional first layer's kernels as images. Pictures are PNG {@code data:} URLs; the page has no script and
 * loads nothing from anywhere, so it can be mailed, archived or opened offline.
 */
final class ReportPage {

    /**
     * Everything a report shows.
     *
     * @param modelName      the model's file name, the page's title
     * @param modelKind      what the model file is, e.g. "model archive v1"
     * @param model          the model's description
     * @param parameterCount the network's parameters
     * @param metadata       what the model file records about its training (may be empty)
     * @param history        the epochs trained, in order (may be empty)
     * @param historySource  where the history came from, or why there is none
     * @param dataName       the data evaluated, e.g. "richard-examples/data/mnist"
     * @param dataFormat     its format, e.g. "MNIST folder, t10k-images-idx3-ubyte.gz"
     * @param dataRole       what the data is, e.g. "the test set", or null
     * @param picture        how a sample's values form an image ([W, H, D]), or null when they do not
     * @param analysis       the evaluation, mistakes and kernels
     * @param status         a line saying training is under way, or null when the report is final
     * @param refreshSeconds how often the browser reloads the page while training runs (0: never)
     * @param generated      when the report was made, as text
     */
    record Content(String modelName, String modelKind, ModelSpec model, long parameterCount,
            Map<String, String> metadata, List<EpochRecord> history, String historySource, String dataName,
            String dataFormat, String dataRole, Shape picture, ReportAnalysis analysis, String status,
            int refreshSeconds, String generated) {
    }

    static final String COST_COLOUR = "#1f6fb4";
    static final String TEST_COST_COLOUR = "#e8710a";
    static final String ACCURACY_COLOUR = "#1a9641";

    private ReportPage() {
    }

    /** The page. */
    static String html(Content c) {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        if (c.status() != null && c.refreshSeconds() > 0) {
            h.append("<meta http-equiv=\"refresh\" content=\"").append(c.refreshSeconds()).append("\">\n");
        }
        h.append("<meta name=\"generator\" content=\"richard ").append(esc(Home.version())).append("\">\n")
                .append("<title>").append(esc(c.modelName())).append(" · richard training report</title>\n")
                .append("<link rel=\"icon\" href=\"data:,\">\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
        header(h, c);
        h.append("<main>\n");
        curves(h, c);
        h.append("<div class=\"pair\">\n");
        confusion(h, c);
        classes(h, c);
        h.append("</div>\n");
        mistakes(h, c);
        network(h, c);
        kernels(h, c);
        h.append("</main>\n<footer>Made by richard ").append(esc(Home.version())).append(" on ")
                .append(esc(c.generated()))
                .append(". This file is self-contained: it runs no script and loads nothing from any server.</footer>\n")
                .append("</body>\n</html>\n");
        return h.toString();
    }

    // ----------------------------------------------------------------------------------------------- header

    private static void header(StringBuilder h, Content c) {
        Evaluation e = c.analysis().evaluation();
        h.append("<header>\n<h1>").append(esc(c.modelName())).append(" <span class=\"muted\">training report</span></h1>\n");
        h.append("<p class=\"meta\">").append(esc(c.modelKind())).append(" · ").append(esc(Text.network(c.model())))
                .append("</p>\n");
        if (c.status() != null) {
            h.append("<p class=\"live\" id=\"status\">").append(esc(c.status()));
            if (c.refreshSeconds() > 0) {
                h.append(" This page reloads itself every ").append(c.refreshSeconds()).append(" s.");
            }
            h.append("</p>\n");
        }
        h.append("<div class=\"cards\">\n");
        card(h, "accuracy", Text.percent(e.accuracy()), Text.count(e.correct()) + " of " + Text.count(e.samples())
                + " samples right");
        card(h, "cost", Text.cost(e.meanCost()), "mean " + costName(c.model()) + " cost per sample");
        String epochs = c.metadata().get("epochs");
        String best = c.metadata().get("bestEpoch");                      // early stopping kept an earlier epoch
        String kept = best == null ? "" : "; the model is epoch " + best + "'s, the best";
        if (!c.history().isEmpty()) {
            EpochRecord last = c.history().get(c.history().size() - 1);
            epochs = Integer.toString(last.epoch());
            card(h, "epochs", epochs + " of " + last.epochs(), trainingTime(c.history()) + kept);
        } else if (epochs != null) {
            card(h, "epochs", epochs, "trained (no per-epoch history)" + kept);
        }
        card(h, "parameters", Text.count(c.parameterCount()), c.model().network().layers().size() + " layers, "
                + c.model().classes().size() + " classes");
        h.append("</div>\n<p class=\"meta\">Evaluated on ").append(esc(c.dataName())).append(" (")
                .append(esc(c.dataFormat())).append(")").append(c.dataRole() == null ? "" : ": " + esc(c.dataRole()))
                .append(".</p>\n</header>\n");
    }

    private static String trainingTime(List<EpochRecord> history) {
        double seconds = history.stream().mapToDouble(EpochRecord::seconds).sum();
        return "trained in " + Text.duration(seconds);
    }

    private static void card(StringBuilder h, String key, String value, String note) {
        h.append("<div class=\"card\" data-card=\"").append(esc(key)).append("\"><div class=\"k\">").append(esc(key))
                .append("</div><div class=\"v\">").append(esc(value)).append("</div><div class=\"n\">").append(esc(note))
                .append("</div></div>\n");
    }

    // ----------------------------------------------------------------------------------------------- curves

    /** One line of a chart. */
    private record Series(String name, String colour, boolean dashed, List<double[]> points) {
    }

    private static void curves(StringBuilder h, Content c) {
        h.append("<section id=\"curves\">\n<h2>Training curves</h2>\n");
        List<EpochRecord> history = c.history();
        if (history.isEmpty()) {
            h.append("<p class=\"note\">No per-epoch history: ").append(esc(c.historySource())).append("</p>\n</section>\n");
            return;
        }
        Series cost = series("training cost", COST_COLOUR, false, history, EpochRecord::meanCost, 1);
        Series testCost = series("test cost", TEST_COST_COLOUR, true, history, EpochRecord::testCost, 1);
        Series accuracy = series("test accuracy", ACCURACY_COLOUR, false, history, EpochRecord::testAccuracy, 100);
        h.append("<div class=\"charts\">\n");
        List<Series> costs = new ArrayList<>();
        for (Series s : List.of(cost, testCost)) {
            if (!s.points().isEmpty()) {
                costs.add(s);
            }
        }
        if (!costs.isEmpty()) {
            h.append(chart("cost-chart", "Mean cost per epoch", "cost", costs, false, ""));
        }
        if (!accuracy.points().isEmpty()) {
            h.append(chart("accuracy-chart", "Test accuracy per epoch", "accuracy (%)", List.of(accuracy), true, "%"));
        } else {
            h.append("<p class=\"note\">No test accuracy: training had no test set (training.test or --test).</p>\n");
        }
        h.append("</div>\n<p class=\"note\">From ").append(esc(c.historySource())).append(". The training cost is the")
                .append(" mean over each epoch's mini-batches as they were trained (with dropout, before each update);")
                .append(" the test cost and accuracy are measured after the epoch.");
        if (history.stream().anyMatch(EpochRecord::stopped)) {
            h.append(" Hollow points mark an epoch cut short.");
        }
        h.append("</p>\n</section>\n");
    }

    private static Series series(String name, String colour, boolean dashed, List<EpochRecord> history,
            java.util.function.Function<EpochRecord, Double> value, double scale) {
        List<double[]> points = new ArrayList<>();
        for (EpochRecord r : history) {
            Double v = value.apply(r);
            if (v != null && Double.isFinite(v)) {
                points.add(new double[] {r.epoch(), v * scale, r.stopped() ? 1 : 0});
            }
        }
        return new Series(name, colour, dashed, points);
    }

    /** Ticks at round numbers: the first, the step and the count, as exact decimals. */
    record Ticks(BigDecimal first, BigDecimal step, int count) {
        double lo() {
            return first.doubleValue();
        }

        double hi() {
            return first.add(step.multiply(BigDecimal.valueOf(count - 1))).doubleValue();
        }

        String label(int i) {
            return first.add(step.multiply(BigDecimal.valueOf(i))).stripTrailingZeros().toPlainString();
        }

        double value(int i) {
            return first.add(step.multiply(BigDecimal.valueOf(i))).doubleValue();
        }
    }

    /**
     * Round-number ticks covering [min, max] in about {@code target} steps of 1, 2 or 5 times a power of ten (at least
     * {@code minStep}); a single value gets a range around it.
     */
    static Ticks ticks(double min, double max, int target, double minStep) {
        double lo = min;
        double hi = max;
        if (!(hi > lo)) {
            double pad = Math.max(Math.abs(lo) * 0.1, minStep > 0 ? minStep : 1e-3);
            lo -= pad;
            hi += pad;
        }
        double raw = (hi - lo) / target;
        int exponent = (int) Math.floor(Math.log10(raw));
        double norm = raw / Math.pow(10, exponent);
        int mantissa = norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10;
        BigDecimal step = BigDecimal.valueOf(mantissa).scaleByPowerOfTen(exponent);
        if (step.doubleValue() < minStep) {
            step = BigDecimal.valueOf(minStep);
        }
        BigDecimal first = BigDecimal.valueOf(lo).divide(step, 0, RoundingMode.FLOOR).multiply(step);
        BigDecimal last = BigDecimal.valueOf(hi).divide(step, 0, RoundingMode.CEILING).multiply(step);
        int count = last.subtract(first).divide(step, 0, RoundingMode.HALF_UP).intValue() + 1;
        return new Ticks(first, step, Math.max(2, count));
    }

    private static final int CW = 520;
    private static final int CH = 300;
    private static final int LEFT = 58;
    private static final int RIGHT = 18;
    private static final int TOP = 34;
    private static final int BOTTOM = 44;

    /** A line chart of epochs (x) against values (y), with round-number ticks, grid lines, a legend and tooltips. */
    private static String chart(String id, String title, String yTitle, List<Series> series, boolean percent,
            String unit) {
        double xMin = Double.POSITIVE_INFINITY;
        double xMax = Double.NEGATIVE_INFINITY;
        double yMin = Double.POSITIVE_INFINITY;
        double yMax = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (double[] p : s.points()) {
                xMin = Math.min(xMin, p[0]);
                xMax = Math.max(xMax, p[0]);
                yMin = Math.min(yMin, p[1]);
                yMax = Math.max(yMax, p[1]);
            }
        }
        Ticks xt = ticks(xMin == xMax ? xMin - 1 : xMin, xMin == xMax ? xMax + 1 : xMax, 8, 1);
        if (xMin != xMax) {                                       // the axis starts at the first epoch, not before
            xt = new Ticks(xt.first().max(BigDecimal.valueOf(Math.floor(xMin))), xt.step(),
                    (int) Math.floor((xMax - Math.max(xt.lo(), Math.floor(xMin))) / xt.step().doubleValue() + 1e-9) + 1);
        }
        Ticks yt = ticks(yMin, yMax, 5, 0);
        if (percent) {                                            // never below 0 % or above 100 %
            while (yt.hi() > 100 + 1e-9 && yt.count() > 2) {
                yt = new Ticks(yt.first(), yt.step(), yt.count() - 1);
            }
            if (yt.lo() < 0) {
                yt = ticks(Math.max(0, yMin), Math.min(100, yMax), 5, 0);
            }
        }
        double x0 = xt.lo();
        double x1 = Math.max(xt.hi(), xMax);
        double xPad = (x1 - x0) * 0.03;
        x0 -= xPad;
        x1 += xPad;
        double y0 = Math.min(yt.lo(), yMin);
        double y1 = Math.max(yt.hi(), yMax);
        int plotW = CW - LEFT - RIGHT;
        int plotH = CH - TOP - BOTTOM;
        double fx0 = x0;
        double fx1 = x1;
        double fy0 = y0;
        double fy1 = y1;
        ToDoubleFunction<Double> px = x -> LEFT + (x - fx0) / (fx1 - fx0) * plotW;
        ToDoubleFunction<Double> py = y -> TOP + plotH - (y - fy0) / (fy1 - fy0) * plotH;

        StringBuilder s = new StringBuilder();
        s.append("<figure class=\"chart\" id=\"").append(id).append("\">\n<figcaption>").append(esc(title))
                .append("</figcaption>\n<svg viewBox=\"0 0 ").append(CW).append(' ').append(CH)
                .append("\" role=\"img\" aria-label=\"").append(esc(title)).append("\">\n");
        // grid and y ticks
        for (int i = 0; i < yt.count(); i++) {
            double y = py.applyAsDouble(yt.value(i));
            s.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>"
                    + "<text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\" dy=\"0.32em\">%s</text>\n",
                    LEFT, CW - RIGHT, y, y, LEFT - 6, y, esc(yt.label(i) + unit)));
        }
        for (int i = 0; i < xt.count(); i++) {
            if (xt.value(i) < Math.max(1, Math.floor(xMin)) || xt.value(i) > xMax) {
                continue;                                         // no epoch 0, no epoch not trained yet
            }
            double x = px.applyAsDouble(xt.value(i));
            s.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\"/>"
                    + "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                    x, x, TOP, TOP + plotH, x, TOP + plotH + 16, esc(xt.label(i))));
        }
        s.append(String.format(Locale.ROOT, "<rect class=\"frame\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n",
                LEFT, TOP, plotW, plotH));
        s.append(String.format(Locale.ROOT, "<text class=\"axis\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">epoch</text>\n",
                LEFT + plotW / 2, CH - 8));
        s.append(String.format(Locale.ROOT, "<text class=\"axis\" transform=\"translate(14 %d) rotate(-90)\" "
                + "text-anchor=\"middle\">%s</text>\n", TOP + plotH / 2, esc(yTitle)));
        // legend
        int lx = LEFT;
        for (Series ser : series) {
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"16\" y2=\"16\" stroke=\"%s\" "
                    + "stroke-width=\"2.5\"%s/><text class=\"legend\" x=\"%d\" y=\"16\" dy=\"0.32em\">%s</text>\n",
                    lx, lx + 22, ser.colour(), ser.dashed() ? " stroke-dasharray=\"6 4\"" : "", lx + 28,
                    esc(ser.name())));
            lx += 40 + 7 * ser.name().length();
        }
        // series
        for (Series ser : series) {
            StringBuilder path = new StringBuilder();
            for (double[] p : ser.points()) {
                path.append(String.format(Locale.ROOT, "%s%.1f,%.1f", path.length() == 0 ? "" : " ",
                        px.applyAsDouble(p[0]), py.applyAsDouble(p[1])));
            }
            s.append("<g class=\"series\" data-series=\"").append(esc(ser.name())).append("\">\n");
            if (ser.points().size() > 1) {
                s.append("<polyline fill=\"none\" stroke=\"").append(ser.colour()).append("\" stroke-width=\"2.5\"")
                        .append(ser.dashed() ? " stroke-dasharray=\"6 4\"" : "").append(" points=\"").append(path)
                        .append("\"/>\n");
            }
            for (double[] p : ser.points()) {
                boolean cut = p[2] != 0;
                s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\" stroke=\"%s\" "
                        + "stroke-width=\"2\"><title>epoch %d%s: %s %s</title></circle>\n",
                        px.applyAsDouble(p[0]), py.applyAsDouble(p[1]), cut ? "#fff" : ser.colour(), ser.colour(),
                        (long) p[0], cut ? " (cut short)" : "", esc(ser.name()),
                        esc(percent ? String.format(Locale.ROOT, "%.2f%%", p[1]) : Text.cost(p[1]))));
            }
            s.append("</g>\n");
        }
        s.append("</svg>\n</figure>\n");
        return s.toString();
    }

    // -------------------------------------------------------------------------------------------- confusion

    private static void confusion(StringBuilder h, Content c) {
        Evaluation e = c.analysis().evaluation();
        List<String> classes = e.classes();
        long[][] m = e.confusion();
        int k = classes.size();
        long[] rows = new long[k];
        double worst = 0;                                         // the largest off-diagonal share of a row
        for (int a = 0; a < k; a++) {
            for (int p = 0; p < k; p++) {
                rows[a] += m[a][p];
            }
            for (int p = 0; p < k; p++) {
                if (p != a && rows[a] > 0) {
                    worst = Math.max(worst, (double) m[a][p] / rows[a]);
                }
            }
        }
        h.append("<section id=\"confusion\">\n<h2>Confusion matrix</h2>\n<div class=\"scroll\">\n")
                .append("<table class=\"heat\">\n<thead><tr><th class=\"corner\">actual \\ predicted</th>");
        for (String label : classes) {
            h.append("<th class=\"col\" title=\"predicted ").append(esc(label)).append("\">").append(esc(short8(label)))
                    .append("</th>");
        }
        h.append("</tr></thead>\n<tbody>\n");
        for (int a = 0; a < k; a++) {
            h.append("<tr><th class=\"row\" title=\"actual ").append(esc(classes.get(a))).append("\">")
                    .append(esc(short8(classes.get(a)))).append("</th>");
            for (int p = 0; p < k; p++) {
                double share = rows[a] == 0 ? 0 : (double) m[a][p] / rows[a];
                String background;
                if (a == p) {
                    background = mix(new int[] {0xf4, 0xf8, 0xfc}, new int[] {0x0b, 0x4f, 0x96}, share);
                } else if (m[a][p] == 0) {
                    background = "#ffffff";
                } else {
                    background = mix(new int[] {0xfd, 0xe8, 0xe0}, new int[] {0xb3, 0x1b, 0x1b},
                            0.15 + 0.85 * share / Math.max(worst, 1e-12));
                }
                String text = light(background) ? "#1d2733" : "#ffffff";
                h.append("<td style=\"background:").append(background).append(";color:").append(m[a][p] == 0 && a != p
                        ? "#b8c0c8" : text).append("\" title=\"").append(esc("actual " + classes.get(a) + ", predicted "
                        + classes.get(p) + ": " + Text.count(m[a][p]) + (m[a][p] == 1 ? " sample" : " samples")
                        + (rows[a] == 0 ? "" : String.format(Locale.ROOT, " (%.1f%% of actual %s)", 100 * share,
                        classes.get(a))))).append("\">").append(Text.count(m[a][p])).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</tbody>\n</table>\n</div>\n<p class=\"note\">Rows are the actual classes, columns the predicted ones; ")
                .append("each cell counts samples. Blue: the share of a class classified right. Red: mistakes, the ")
                .append("darkest being the most frequent confusion");
        if (worst > 0) {
            h.append(String.format(Locale.ROOT, " (%.1f%% of its class)", 100 * worst));
        }
        h.append(".</p>\n</section>\n");
    }

    private static String short8(String label) {
        return label.length() > 8 ? label.substring(0, 7) + "…" : label;
    }

    /** The colour {@code t} of the way from {@code from} to {@code to}, as #rrggbb. */
    static String mix(int[] from, int[] to, double t) {
        double u = Math.max(0, Math.min(1, t));
        return String.format(Locale.ROOT, "#%02x%02x%02x", (int) Math.round(from[0] + (to[0] - from[0]) * u),
                (int) Math.round(from[1] + (to[1] - from[1]) * u), (int) Math.round(from[2] + (to[2] - from[2]) * u));
    }

    /** Whether dark text reads better than white on a #rrggbb background. */
    static boolean light(String colour) {
        int r = Integer.parseInt(colour.substring(1, 3), 16);
        int g = Integer.parseInt(colour.substring(3, 5), 16);
        int b = Integer.parseInt(colour.substring(5, 7), 16);
        return 0.299 * r + 0.587 * g + 0.114 * b > 150;
    }

    // ---------------------------------------------------------------------------------------------- classes

    private static void classes(StringBuilder h, Content c) {
        Evaluation e = c.analysis().evaluation();
        List<String> classes = e.classes();
        h.append("<section id=\"classes\">\n<h2>Precision and recall per class</h2>\n<div class=\"scroll\">\n")
                .append("<table class=\"scores\">\n<thead><tr><th>class</th><th>precision</th><th>recall</th>")
                .append("<th class=\"num\">samples</th><th class=\"num\">predicted</th></tr></thead>\n<tbody>\n");
        for (int k = 0; k < classes.size(); k++) {
            long actual = 0;
            long predicted = 0;
            for (int j = 0; j < classes.size(); j++) {
                actual += e.confusion()[k][j];
                predicted += e.confusion()[j][k];
            }
            h.append("<tr><th>").append(esc(classes.get(k))).append("</th>");
            bar(h, e.precision(k));
            bar(h, e.recall(k));
            h.append("<td class=\"num\">").append(Text.count(actual)).append("</td><td class=\"num\">")
                    .append(Text.count(predicted)).append("</td></tr>\n");
        }
        h.append("</tbody>\n</table>\n</div>\n<p class=\"note\">Precision: of the samples predicted as the class, the share")
                .append(" that are. Recall: of the samples of the class, the share predicted as it. n/a: no sample.</p>\n")
                .append("</section>\n");
    }

    private static void bar(StringBuilder h, double fraction) {
        if (Double.isNaN(fraction)) {
            h.append("<td class=\"score\"><span class=\"na\">n/a</span></td>");
            return;
        }
        h.append(String.format(Locale.ROOT, "<td class=\"score\"><span class=\"bar\"><span style=\"width:%.1f%%\">"
                + "</span></span><span class=\"pct\">%s</span></td>", 100 * fraction, esc(Text.percent(fraction))));
    }

    // --------------------------------------------------------------------------------------------- mistakes

    private static void mistakes(StringBuilder h, Content c) {
        List<ReportAnalysis.Mistake> mistakes = c.analysis().mistakes();
        List<String> classes = c.analysis().evaluation().classes();
        int wrong = c.analysis().evaluation().samples() - c.analysis().evaluation().correct();
        h.append("<section id=\"mistakes\">\n<h2>Most confidently wrong</h2>\n");
        if (mistakes.isEmpty()) {
            h.append("<p class=\"note\">").append(wrong == 0 ? "No mistakes: every sample was classified right." : "Not asked for.").append("</p>\n</section>\n");
            return;
        }
        h.append("<p class=\"note\">The ").append(mistakes.size()).append(" of ").append(Text.count(wrong))
                .append(" misclassified samples whose predicted class had the largest output, largest first: ")
                .append("<b class=\"true\">true label</b> → <b class=\"pred\">predicted</b>, with the output of each.")
                .append(" Numbers are sample positions in the data (from 0).</p>\n");
        Shape picture = c.picture();
        if (picture != null && picture.width() > 1 && picture.height() > 1) {
            int longest = Math.max(picture.width() * (picture.depth() == 1 || picture.depth() == 3 ? 1 : picture.depth()),
                    picture.height());
            int scale = Math.max(1, Math.min(8, 96 / longest));
            h.append("<div class=\"gallery\">\n");
            for (ReportAnalysis.Mistake m : mistakes) {
                BufferedImage image = sampleImage(m.values(), picture);
                h.append("<figure class=\"sample\"><img alt=\"sample ").append(m.index()).append("\" width=\"")
                        .append(image.getWidth() * scale).append("\" height=\"").append(image.getHeight() * scale)
                        .append("\" src=\"").append(png(image)).append("\"><figcaption><span class=\"idx\">#")
                        .append(m.index()).append("</span> <b class=\"true\">").append(esc(classes.get(m.actual())))
                        .append("</b> → <b class=\"pred\">").append(esc(classes.get(m.predicted())))
                        .append(String.format(Locale.ROOT, "</b><br><span class=\"out\">%.2f vs %.2f</span>",
                                m.predictedOutput(), m.actualOutput()))
                        .append("</figcaption></figure>\n");
            }
            h.append("</div>\n");
            if (picture.depth() != 1 && picture.depth() != 3) {
                h.append("<p class=\"note\">The ").append(picture.depth())
                        .append(" channels of each sample are drawn side by side, in grey.</p>\n");
            }
        } else {
            h.append("<div class=\"scroll\"><table class=\"list\">\n<thead><tr><th class=\"num\">sample</th><th>true</th>")
                    .append("<th>predicted</th><th class=\"num\">output of predicted</th><th class=\"num\">output of true")
                    .append("</th></tr></thead>\n<tbody>\n");
            for (ReportAnalysis.Mistake m : mistakes) {
                h.append(String.format(Locale.ROOT, "<tr><td class=\"num\">%d</td><td class=\"true\">%s</td>"
                        + "<td class=\"pred\">%s</td><td class=\"num\">%.4f</td><td class=\"num\">%.4f</td></tr>\n",
                        m.index(), esc(classes.get(m.actual())), esc(classes.get(m.predicted())), m.predictedOutput(),
                        m.actualOutput()));
            }
            h.append("</tbody>\n</table></div>\n<p class=\"note\">The inputs are not images (shape ")
                    .append(esc(c.model().inputShape().toString())).append("), so they are listed, not drawn.</p>\n");
        }
        h.append("</section>\n");
    }

    /**
     * A sample's normalised values as an image: grey for one channel, RGB for three, the channels side by side in
     * grey otherwise. Values are clipped to [0, 1] (what the normalisation maps the data's range to).
     */
    static BufferedImage sampleImage(float[] values, Shape shape) {
        int w = shape.width();
        int hgt = shape.height();
        int d = shape.depth();
        int plane = w * hgt;
        if (d == 3) {
            BufferedImage image = new BufferedImage(w, hgt, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < hgt; y++) {
                for (int x = 0; x < w; x++) {
                    int i = y * w + x;
                    image.setRGB(x, y, grey(values[i]) << 16 | grey(values[plane + i]) << 8 | grey(values[2 * plane + i]));
                }
            }
            return image;
        }
        int gap = d == 1 ? 0 : 1;
        BufferedImage image = new BufferedImage(d * w + (d - 1) * gap, hgt, BufferedImage.TYPE_INT_RGB);
        for (int c = 0; c < d; c++) {
            for (int y = 0; y < hgt; y++) {
                for (int x = 0; x < w; x++) {
                    int g = grey(values[c * plane + y * w + x]);
                    image.setRGB(c * (w + gap) + x, y, g << 16 | g << 8 | g);
                }
                if (c > 0) {
                    image.setRGB(c * (w + gap) - 1, y, 0xffffff);
                }
            }
        }
        return image;
    }

    private static int grey(float v) {
        return (int) Math.round(255 * Math.max(0, Math.min(1, Float.isNaN(v) ? 0 : v)));
    }

    /** A PNG {@code data:} URL. */
    static String png(BufferedImage image) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    // ---------------------------------------------------------------------------------------------- network

    private static void network(StringBuilder h, Content c) {
        ModelSpec model = c.model();
        h.append("<section id=\"network\">\n<h2>Network</h2>\n<div class=\"pair\">\n<div class=\"scroll\">")
                .append("<table class=\"layers\">\n<thead><tr><th class=\"num\">#</th><th>layer</th><th>output [W, H, D]")
                .append("</th><th>activation</th><th class=\"num\">parameters</th></tr></thead>\n<tbody>\n");
        h.append("<tr><td class=\"num\"></td><td>input</td><td>").append(esc(model.inputShape().toString()))
                .append("</td><td></td><td class=\"num\"></td></tr>\n");
        Shape shape = model.inputShape();
        long total = 0;
        List<LayerSpec> layers = model.network().layers();
        for (int l = 0; l < layers.size(); l++) {
            LayerSpec layer = layers.get(l);
            Shape out = layer.outputShape(shape);
            long parameters = layer.parameterCount(shape);
            total += parameters;
            h.append("<tr><td class=\"num\">").append(l).append("</td><td>").append(esc(layer.describe()))
                    .append("</td><td>").append(esc(out.toString())).append("</td><td>")
                    .append(esc(layer.activation())).append("</td><td class=\"num\">")
                    .append(Text.count(parameters)).append("</td></tr>\n");
            shape = out;
        }
        h.append("</tbody>\n<tfoot><tr><td></td><td colspan=\"3\">total · loss: ")
                .append(model.network().outputLayer().cost()).append("</td><td class=\"num\">")
                .append(Text.count(total)).append("</td></tr></tfoot>\n</table></div>\n");
        Hyperparams hp = model.network().hyperparams();
        h.append("<dl class=\"facts\">\n");
        fact(h, "classes", model.classes().size() + ": " + Text.classes(model.classes()));
        fact(h, "input", model.inputShape() + ", normalised from [" + number(model.data().normalization().min()) + ", "
                + number(model.data().normalization().max()) + "]");
        fact(h, "training", hp.epochs() + " epochs of at most " + Text.count(hp.batchSize()) + " samples, mini-batches of "
                + hp.miniBatchSize());
        for (Map.Entry<String, String> entry : c.metadata().entrySet()) {
            fact(h, entry.getKey(), readable(entry.getKey(), entry.getValue()));
        }
        h.append("</dl>\n</div>\n</section>\n");
    }

    /** A metadata value as people read it: costs to 6 digits, accuracies as percentages. */
    static String readable(String key, String value) {
        try {
            if (key.endsWith("Cost")) {
                return Text.cost(Double.parseDouble(value));
            }
            if (key.endsWith("Accuracy")) {
                return Text.percent(Double.parseDouble(value));
            }
        } catch (NumberFormatException e) {
            return value;
        }
        return value;
    }

    private static void fact(StringBuilder h, String key, String value) {
        h.append("<dt>").append(esc(key)).append("</dt><dd>").append(esc(value)).append("</dd>\n");
    }

    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }

    // ---------------------------------------------------------------------------------------------- kernels

    private static void kernels(StringBuilder h, Content c) {
        ReportAnalysis.Kernels k = c.analysis().kernels();
        if (k == null) {
            return;
        }
        float max = k.maxAbs();
        int scale = Math.max(2, Math.min(12, 48 / Math.max(k.height(), k.width())));
        h.append("<section id=\"kernels\">\n<h2>First layer's kernels</h2>\n<p class=\"note\">The ").append(k.depth())
                .append(k.depth() == 1 ? " kernel" : " kernels").append(" of ").append(k.height()).append("×")
                .append(k.width()).append(" weights (rows × columns) of layer 0");
        if (k.channels() > 1) {
            h.append(", one picture per input channel (").append(k.channels()).append(" side by side)");
        }
        h.append(String.format(Locale.ROOT, ". <span class=\"scale\"></span> blue negative,"
                + " white 0, red positive, on one scale for the layer: ±%.3g.</p>\n", max));
        h.append("<div class=\"gallery kernels\">\n");
        for (int d = 0; d < k.depth(); d++) {
            h.append("<figure class=\"kernel\">");
            for (int ch = 0; ch < k.channels(); ch++) {
                BufferedImage image = new BufferedImage(k.width(), k.height(), BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < k.height(); y++) {
                    for (int x = 0; x < k.width(); x++) {
                        image.setRGB(x, y, diverging(k.get(d, ch, y, x) / max));
                    }
                }
                h.append("<img alt=\"kernel ").append(d).append(k.channels() > 1 ? " channel " + ch : "")
                        .append("\" width=\"").append(k.width() * scale).append("\" height=\"")
                        .append(k.height() * scale).append("\" src=\"").append(png(image)).append("\">");
            }
            h.append("<figcaption>").append(d).append("</figcaption></figure>\n");
        }
        h.append("</div>\n</section>\n");
    }

    /** Blue (−1) through white (0) to red (+1), as 0xRRGGBB. */
    static int diverging(double t) {
        double u = Math.max(-1, Math.min(1, Double.isNaN(t) ? 0 : t));
        int[] white = {0xf7, 0xf7, 0xf7};
        int[] end = u < 0 ? new int[] {0x21, 0x66, 0xac} : new int[] {0xb2, 0x18, 0x2b};
        String hex = mix(white, end, Math.abs(u));
        return Integer.parseInt(hex.substring(1), 16);
    }

    // ---------------------------------------------------------------------------------------------- helpers

    /** Text for HTML content and attribute values. */
    static String esc(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder s = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            switch (ch) {
                case '&' -> s.append("&amp;");
                case '<' -> s.append("&lt;");
                case '>' -> s.append("&gt;");
                case '"' -> s.append("&quot;");
                case '\'' -> s.append("&#39;");
                default -> {
                    if (ch < 0x20 && ch != '\n' && ch != '\t') {
                        s.append('\uFFFD');
                    } else {
                        s.append(ch);
                    }
                }
            }
        }
        return s.toString();
    }

    private static final String CSS = """
            :root { --ink: #1d2733; --muted: #5b6775; --line: #dde3ea; --panel: #ffffff; --page: #f3f5f8;
              --true: #1a7f37; --pred: #c0262d; --accent: #1f6fb4; }
            * { box-sizing: border-box; }
            body { margin: 0; background: var(--page); color: var(--ink);
              font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", "Liberation Sans", sans-serif; }
            header, main, footer { max-width: 1180px; margin: 0 auto; padding: 0 20px; }
            header { padding-top: 22px; }
            h1 { font-size: 26px; margin: 0 0 2px; font-weight: 650; }
            h1 .muted { color: var(--muted); font-weight: 400; font-size: 20px; }
            h2 { font-size: 18px; margin: 0 0 12px; font-weight: 620; }
            .meta { color: var(--muted); margin: 4px 0; }
            .live { background: #fff6d6; border: 1px solid #f0d98a; border-radius: 6px; padding: 8px 12px; }
            .cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 14px 0 8px; }
            .card { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px;
              min-width: 170px; flex: 1 1 170px; }
            .card .k { color: var(--muted); font-size: 13px; text-transform: uppercase; letter-spacing: .04em; }
            .card .v { font-size: 26px; font-weight: 650; font-variant-numeric: tabular-nums; }
            .card .n { color: var(--muted); font-size: 13px; }
            section { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 16px 18px;
              margin: 16px 0; min-width: 0; }
            .pair { display: grid; grid-template-columns: repeat(auto-fit, minmax(430px, 1fr)); gap: 0 16px; }
            .pair > section { margin: 16px 0 0; }
            .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
            figure { margin: 0; }
            .chart figcaption { font-weight: 600; margin-bottom: 4px; }
            .chart svg { width: 100%; height: auto; display: block; }
            svg .grid { stroke: #e6eaef; stroke-width: 1; }
            svg .frame { fill: none; stroke: #aab4bf; stroke-width: 1; }
            svg text { font: 12px system-ui, "DejaVu Sans", sans-serif; fill: var(--muted); }
            svg .axis { font-size: 13px; fill: var(--ink); }
            svg .legend { font-size: 13px; fill: var(--ink); }
            .note { color: var(--muted); font-size: 13px; margin: 10px 0 0; }
            .scroll { overflow-x: auto; }
            table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
            th, td { padding: 4px 8px; text-align: left; }
            .num { text-align: right; }
            table.heat td { text-align: center; min-width: 36px; height: 30px; padding: 2px 4px; border: 1px solid #fff; font-size: 13px; }
            table.heat th { font-weight: 600; font-size: 13px; }
            table.heat th.col { text-align: center; }
            table.heat th.row { text-align: right; }
            table.heat th.corner { color: var(--muted); font-weight: 400; font-size: 12px; white-space: nowrap; }
            table.scores, table.layers, table.list { width: 100%; }
            table.scores th, table.scores td, table.layers th, table.layers td, table.list th, table.list td {
              border-bottom: 1px solid var(--line); }
            table thead th { color: var(--muted); font-weight: 600; font-size: 13px; }
            td.score { white-space: nowrap; }
            .bar { display: inline-block; width: 72px; height: 10px; background: #edf0f4; border-radius: 5px;
              vertical-align: middle; margin-right: 8px; overflow: hidden; }
            .bar > span { display: block; height: 100%; background: var(--accent); }
            .pct { display: inline-block; min-width: 54px; text-align: right; }
            .na { color: var(--muted); }
            .gallery { display: flex; flex-wrap: wrap; gap: 12px; }
            .sample { background: #f7f9fb; border: 1px solid var(--line); border-radius: 6px; padding: 6px; text-align: center; }
            .sample img, .kernel img { image-rendering: pixelated; image-rendering: crisp-edges; display: block;
              margin: 0 auto; background: #000; }
            .sample figcaption { font-size: 13px; margin-top: 4px; line-height: 1.3; }
            .idx, .out { color: var(--muted); font-size: 12px; }
            b.true, td.true { color: var(--true); }
            b.pred, td.pred { color: var(--pred); }
            .kernels { gap: 8px; }
            .kernel { text-align: center; }
            .kernel img { display: inline-block; margin: 0 1px; border: 1px solid var(--line); }
            .kernel figcaption { font-size: 11px; color: var(--muted); }
            .scale { display: inline-block; width: 70px; height: 10px; vertical-align: middle; border: 1px solid var(--line);
              background: linear-gradient(90deg, #2166ac, #f7f7f7, #b2182b); }
            dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 14px; margin: 0; align-content: start;
              font-size: 14px; }
            dl.facts dt { color: var(--muted); }
            dl.facts dd { margin: 0; overflow-wrap: anywhere; }
            footer { color: var(--muted); font-size: 12px; padding-bottom: 24px; }
            """;

    /** "quadratic" or "cross-entropy", for the words on the page. */
    static String costName(ModelSpec model) {
        return model.network().outputLayer().cost().equals("crossEntropy") ? "cross-entropy" : "quadratic";
    }
}
