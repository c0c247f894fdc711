package io.richard.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import io.richard.api.DataException;
import io.richard.api.spec.ModelSpec;
import io.richard.nd4j.Network;
import io.richard.nd4j.io.SavedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code richard report MODEL DATA -o report.html}: a self-contained HTML page on how training went. */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        versionProvider = Richard.Version.class,
        description = {
            "Writes an HTML page on a model: training curves, confusions, worst mistakes, layers.",
            "",
            "The page shows the cost and test accuracy per epoch, the confusion matrix as a heat map, per-class "
                + "precision and recall, the most confidently wrong samples (drawn, for images), the layer table and "
                + "a convolutional first layer's kernels.",
            "",
            "MODEL is a model archive, a checkpoint or a network file of the C++ Richard; DATA is read as `eval` "
                + "reads it. The training curves come from the metrics file beside the model (MODEL.metrics.jsonl) "
                + "when there is one. The page is one file with everything inline: it loads nothing from any server.",
            ""})
final class ReportCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "The trained model.")
    Path model;

    @Parameters(index = "1", paramLabel = "DATA", description = "Labelled samples to evaluate (e.g. the test set).")
    Path data;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE.html",
            description = "Where to write the report (replaced atomically). Default: ./MODEL-NAME.report.html")
    Path output;

    @Option(names = "--metrics", paramLabel = "FILE",
            description = "The per-epoch metrics written by `richard train`. Default: MODEL.metrics.jsonl if it exists.")
    Path metrics;

    @Option(names = "--mistakes", paramLabel = "N", defaultValue = "" + ReportAnalysis.DEFAULT_MISTAKES,
            description = "How many of the most confidently wrong samples to show. Default: ${DEFAULT-VALUE}.")
    int mistakes;

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

    @Override
    public Integer call() {
        if (limit != null && limit <= 0) {
            throw new UsageException("--limit must be a positive number, got " + limit);
        }
        if (batchSize <= 0) {
            throw new UsageException("--batch-size must be a positive number, got " + batchSize);
        }
        if (mistakes < 0) {
            throw new UsageException("--mistakes must be 0 or more, got " + mistakes);
        }
        if (output == null && Input.isStandardInput(model)) {
            throw new UsageException("the model is read from standard input: give the report's file name with -o FILE");
        }
        Path reportPath = output != null ? output : Path.of(TrainCommand.stem(model) + ".report.html");
        Optional<Path> metricsPath = metricsFile();
        new RunFiles().input("model", "MODEL", model).input("data", "DATA", data)
                .input("labels", "DATA", Files.isRegularFile(data) ? DataSources.findLabelsBeside(data).orElse(null)
                        : null)
                .input("metrics file", "--metrics", metricsPath.orElse(null))
                .output("report", "-o", reportPath).appended("log file", "--log", common.log).check();
        try (Console console = new Console(spec.commandLine().getOut(), spec.commandLine().getErr(), common.verbose,
                common.log)) {
            engine.apply();
            if (Input.isStandardInput(model) && Input.isStandardInput(data)) {
                throw new UsageException("standard input (-) is given for both MODEL and DATA; it can be read once");
            }
            SavedModel saved = Input.loadModel(model);
            Network network = saved.network();
            ModelSpec modelSpec = network.model();
            List<EpochRecord> history = metricsPath.map(ReportWriter::readMetrics).orElse(List.of());
            String historySource = metricsPath.map(p -> "the metrics file " + p).orElse("there is no metrics file "
                    + "beside the model (" + model + ".metrics.jsonl, which `richard train` writes); give one with "
                    + "--metrics FILE");
            if (metricsPath.isPresent() && history.isEmpty()) {
                historySource = "the metrics file " + metricsPath.get() + " holds no epoch";
            }
            boolean resizeValue = resize != null ? resize
                    : Boolean.parseBoolean(saved.metadata().getOrDefault("resize", "false"));
            try (RunFiles.Locks locks = new RunFiles().output("report", "-o", reportPath).lock()) {
                DataSources.Loaded set = DataSources.load(data, modelSpec.data(), modelSpec.dataLoader().fetchSize(),
                        resizeValue, limit == null ? Integer.MAX_VALUE : limit, DataSources.Role.TEST);
                String kind = saved.formatVersion() == 0 ? "network file of the C++ Richard"
                        : "model archive v" + saved.formatVersion();
                String name = Input.isStandardInput(model) ? "standard input"
                        : model.getFileName() == null ? model.toString() : model.getFileName().toString();
                ReportWriter writer = new ReportWriter(reportPath, name, kind, saved.metadata(), set, data.toString(),
                        null, mistakes);
                writer.evaluate(network, set.data(), batchSize, engine.splitThreads(network));
                writer.write(network, history, historySource, null, Map.of());
            }
            console.result("report written to " + reportPath);
            return 0;
        }
    }

    /**
     * The --metrics file, or the one beside the model if it exists: MODEL.metrics.jsonl, and for a checkpoint
     * (M.checkpoint) also M.metrics.jsonl.
     */
    private Optional<Path> metricsFile() {
        if (metrics != null) {
            if (!Files.exists(metrics) || Files.isDirectory(metrics)) {
                throw new DataException(metrics + ": " + (Files.exists(metrics) ? "is a directory, not a metrics file"
                        : "no such file") + " (--metrics)");
            }
            return Optional.of(metrics);
        }
        if (Input.isStandardInput(model) || model.getFileName() == null) {
            return Optional.empty();
        }
        String name = model.getFileName().toString();
        Path beside = model.resolveSibling(name + ".metrics.jsonl");
        if (Files.isRegularFile(beside)) {
            return Optional.of(beside);
        }
        if (name.endsWith(".checkpoint")) {
            Path trained = model.resolveSibling(name.substring(0, name.length() - ".checkpoint".length())
                    + ".metrics.jsonl");
            if (Files.isRegularFile(trained)) {
                return Optional.of(trained);
            }
        }
        return Optional.empty();
    }
}
