package io.richard.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.richard.api.Quote;
import io.richard.api.spec.ModelSpec;
import io.richard.nd4j.Evaluation;
import io.richard.nd4j.Network;
import io.richard.nd4j.io.SavedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code richard eval MODEL DATA}: accuracy, cost, per-class precision and recall, confusion matrix. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        versionProvider = Richard.Version.class,
        description = {
            "Evaluates a model: accuracy, cost, per-class precision/recall, confusion matrix.",
            "",
            "MODEL is a model archive written by `richard train` or a network file of the C++ Richard. DATA is "
                + "read with the model's data section (classes, shape, normalisation): a CSV file, an image folder, "
                + "an IDX images file or an MNIST folder (its t10k files).",
            ""})
final class EvalCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "The trained model.")
    Path model;

    @Parameters(index = "1", paramLabel = "DATA", description = "Labelled samples.")
    Path data;

    @Option(names = "--format", paramLabel = "text|json", defaultValue = "text",
            description = "Output format. Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--limit", paramLabel = "N", description = "Evaluate only the first N samples.")
    Integer limit;

    @Option(names = "--resize", negatable = true,
            description = "Scale images whose size differs from data.shape (default: as in training).")
    Boolean resize;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "256",
            description = "Samples evaluated at once. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Mixin
    EngineOptions engine;

    @Mixin
    CommonOptions common;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Set by the C++ program's command line (LegacyArgs): messages name --network and --samples. */
    @Option(names = "--reference-option-names", hidden = true)
    boolean referenceOptionNames;

    @Override
    public Integer call() throws JsonProcessingException {
        long start = System.nanoTime();
        String fmt = format.toLowerCase(Locale.ROOT);
        if (!fmt.equals("text") && !fmt.equals("json")) {
            throw new UsageException("--format must be text or json, got " + Quote.single(format));
        }
        if (limit != null && limit <= 0) {
            throw new UsageException("--limit must be a positive number, got " + limit);
        }
        if (batchSize <= 0) {
            throw new UsageException("--batch-size must be a positive number, got " + batchSize);
        }
        new RunFiles().input("model", LegacyArgs.named("MODEL", referenceOptionNames), model)
                .input("data", LegacyArgs.named("DATA", referenceOptionNames), data)
                .appended("log file", "--log", common.log).check();
        try (Console console = new Console(spec.commandLine().getOut(), spec.commandLine().getErr(), common.verbose,
                common.log)) {
            engine.apply();
            if (Input.isStandardInput(model) && Input.isStandardInput(data)) {
                throw new UsageException("standard input (-) is given for both MODEL and DATA; it can be read once");
            }
            SavedModel saved = Input.loadModel(model);
            Network network = engine.onKernels(saved.network());
            ModelSpec modelSpec = network.model();
            boolean resizeValue = resize != null ? resize
                    : Boolean.parseBoolean(saved.metadata().getOrDefault("resize", "false"));
            DataSources.Loaded set = DataSources.load(data, modelSpec.data(), modelSpec.dataLoader().fetchSize(),
                    resizeValue, limit == null ? Integer.MAX_VALUE : limit, DataSources.Role.TEST);
            Evaluation evaluation = network.evaluate(set.data(), batchSize, engine.splitThreads(network));
            double seconds = (System.nanoTime() - start) / 1e9;
            if (fmt.equals("json")) {
                console.result(json(saved, set, evaluation, seconds));
            } else {
                text(console, saved, set, evaluation, seconds);
            }
            return 0;
        }
    }

    private void text(Console console, SavedModel saved, DataSources.Loaded set, Evaluation e, double seconds) {
        String kind = saved.formatVersion() == 0 ? "reference network file"
                : "model archive v" + saved.formatVersion();
        String epochs = saved.metadata().get("epochs");
        String best = saved.metadata().get("bestEpoch");                 // early stopping saved an earlier epoch
        console.result("model      " + Input.name(model) + " (" + kind + (epochs == null ? "" : ", " + epochs + " epochs")
                + (best == null ? "" : "; epoch " + best + "'s parameters, the best") + ")");
        console.result("data       " + Input.name(data) + ": " + Text.count(e.samples()) + " samples (" + set.format() + ")");
        console.result("accuracy   " + Text.percent(e.accuracy()) + " (" + Text.count(e.correct()) + "/"
                + Text.count(e.samples()) + " correct)");
        console.result("mean cost  " + Text.cost(e.meanCost()));
        console.result("");
        List<String> classes = e.classes();
        int width = Math.max(5, classes.stream().mapToInt(String::length).max().orElse(5));
        console.result(String.format(Locale.ROOT, "%-" + width + "s  %9s  %7s  %8s", "class", "precision", "recall",
                "samples"));
        for (int c = 0; c < classes.size(); c++) {
            long support = 0;
            for (long count : e.confusion()[c]) {
                support += count;
            }
            console.result(String.format(Locale.ROOT, "%-" + width + "s  %9s  %7s  %8s", classes.get(c),
                    Text.percent(e.precision(c)), Text.percent(e.recall(c)), Text.count(support)));
        }
        console.result("");
        console.result("confusion matrix (rows: actual class, columns: predicted class)");
        console.result(confusion(e).stripTrailing());
        console.info("evaluated in " + Text.duration(seconds));
    }

    /** The confusion matrix with columns as wide as the labels and counts need. */
    static String confusion(Evaluation e) {
        List<String> classes = e.classes();
        int rowLabel = Math.max(6, classes.stream().mapToInt(String::length).max().orElse(1));
        int cell = 3;
        for (String label : classes) {
            cell = Math.max(cell, Math.min(label.length(), 8));
        }
        for (long[] row : e.confusion()) {
            for (long count : row) {
                cell = Math.max(cell, Long.toString(count).length());
            }
        }
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%-" + rowLabel + "s", "actual"));
        for (String label : classes) {
            String shown = label.length() > 8 ? label.substring(0, 7) + "…" : label;
            s.append(String.format(Locale.ROOT, " %" + cell + "s", shown));
        }
        s.append('\n');
        for (int a = 0; a < classes.size(); a++) {
            s.append(String.format(Locale.ROOT, "%-" + rowLabel + "s", classes.get(a)));
            for (int p = 0; p < classes.size(); p++) {
                s.append(String.format(Locale.ROOT, " %" + cell + "d", e.confusion()[a][p]));
            }
            s.append('\n');
        }
        return s.toString();
    }

    private String json(SavedModel saved, DataSources.Loaded set, Evaluation e, double seconds)
            throws JsonProcessingException {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", Input.name(model));
        out.put("modelFormat", saved.formatVersion() == 0 ? "reference" : "archive");
        out.put("data", Input.name(data));
        out.put("dataFormat", set.format());
        out.put("samples", e.samples());
        out.put("correct", e.correct());
        out.put("accuracy", finite(e.accuracy()));
        out.put("meanCost", finite(e.meanCost()));
        List<Map<String, Object>> perClass = new java.util.ArrayList<>();
        for (int c = 0; c < e.classes().size(); c++) {
            Map<String, Object> entry = new LinkedHashMap<>();
            long support = 0;
            for (long count : e.confusion()[c]) {
                support += count;
            }
            entry.put("label", e.classes().get(c));
            entry.put("precision", finite(e.precision(c)));
            entry.put("recall", finite(e.recall(c)));
            entry.put("samples", support);
            perClass.add(entry);
        }
        out.put("classes", perClass);
        out.put("confusion", e.confusion());
        out.put("seconds", seconds);
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out);
    }

    private static Double finite(double value) {
        return Double.isFinite(value) ? value : null;
    }
}
