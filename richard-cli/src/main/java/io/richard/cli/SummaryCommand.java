package io.richard.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import io.richard.api.ConfigException;
import io.richard.api.DataException;
import io.richard.api.spec.Hyperparams;
import io.richard.api.spec.LayerTable;
import io.richard.api.spec.ModelSpec;
import io.richard.api.spec.OptimizerSpec;
import io.richard.nd4j.MemoryEstimate;
import io.richard.nd4j.io.SavedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code richard summary CONFIG|MODEL}: the layer table with output shapes and parameter counts. For a config it is
 * worked out from the description alone (nothing is built or allocated), so it is instant for any size.
 */
@Command(name = "summary", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        versionProvider = Richard.Version.class,
        description = {
            "Prints the layers of a config or a model: output shapes and parameter counts.",
            "",
            "Also shows the data section and hyper-parameters; for a config, the memory training it needs; for a "
                + "model archive, what it records about its training. CONFIG may be - (standard input) or a pipe.",
            ""})
final class SummaryCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "CONFIG|MODEL",
            description = "A config (YAML or JSON) or a model file; - reads standard input.")
    Path file;

    @Mixin
    CommonOptions common;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        new RunFiles().input("config or model", "CONFIG|MODEL", file).appended("log file", "--log", common.log)
                .check();
        try (Console console = new Console(spec.commandLine().getOut(), spec.commandLine().getErr(), common.verbose,
                common.log)) {
            if (!Input.isStandardInput(file) && !Files.exists(file)) {
                throw new DataException(file + ": no such file");
            }
            ModelSpec model;
            String table;
            try (Input input = Input.open(file, "config or model file")) {
                if (isText(input.head())) {
                    TrainingConfig config = ConfigReader.read(input);
                    config.warnings().forEach(console::warn);
                    model = config.model();
                    console.result("config   " + input.name());
                    describe(console, model, Map.of());
                    TrainingOptions t = config.training();
                    console.result("training data " + t.data().map(Path::toString).orElse("(none; give --data)")
                            + ", test " + t.test().map(Path::toString).orElse("(none)") + ", seed " + t.seed()
                            + ", " + (t.shuffle() ? "shuffled" : "data order")
                            + (t.resize() ? ", images resized" : "")
                            + t.limit().stream().mapToObj(n -> ", the first " + Text.count(n) + " training samples"
                            + " (limit)").findFirst().orElse("")
                            + t.testLimit().stream().mapToObj(n -> ", the first " + Text.count(n) + " test samples"
                            + " (testLimit)").findFirst().orElse(""));
                    memory(console, model, t.earlyStopping().isPresent() ? 1 : 0);
                    table = LayerTable.of(model, model.network().outputLayer().cost());
                } else {
                    SavedModel saved = Input.loadModel(input);
                    model = saved.network().model();
                    console.result("model    " + input.name() + " (" + (saved.formatVersion() == 0
                            ? "reference network file" : "model archive v" + saved.formatVersion()) + ")");
                    describe(console, model, saved.metadata());
                    for (Map.Entry<String, String> entry : saved.metadata().entrySet()) {
                        console.result(String.format(Locale.ROOT, "  %-16s %s", entry.getKey(), entry.getValue()));
                    }
                    table = saved.network().summary();
                }
            }
            console.result("");
            console.result(table.stripTrailing());
            return 0;
        }
    }

    /**
     * The description's data and training lines. For a trained model ({@code metadata} from {@code richard train})
     * the training line says what the training did: epochs done of those planned, the samples per epoch it really
     * had (fewer than batchSize when the data, or --limit, gave fewer) and the test samples.
     */
    private static void describe(Console console, ModelSpec model, Map<String, String> metadata) {
        Hyperparams h = model.network().hyperparams();
        console.result("classes  " + model.classes().size() + ": " + Text.classes(model.classes()));
        console.result("input    " + model.inputShape() + ", normalised from [" + fmt(model.data().normalization().min())
                + ", " + fmt(model.data().normalization().max()) + "]");
        if (!(model.network().optimizer() instanceof OptimizerSpec.Sgd)) {
            console.result("optimizer " + model.network().optimizer().describe());
        }
        if (model.network().schedule() != null) {
            console.result("schedule " + model.network().schedule().describe() + ", on the layers' rates");
        }
        String perEpoch = metadata.get("samplesPerEpoch");
        if (perEpoch == null || !perEpoch.matches("\\d+")) {
            console.result("training " + h.epochs() + " epochs of at most " + Text.count(h.batchSize())
                    + " samples, mini-batches of " + h.miniBatchSize() + ", fetch size " + model.dataLoader().fetchSize());
            return;
        }
        int samples = Integer.parseInt(perEpoch);
        String limit = metadata.getOrDefault("limit", "all");
        String why = samples >= h.batchSize() ? "" : limit.matches("\\d+") && Integer.parseInt(limit) <= samples
                ? " (the first " + Text.count(Integer.parseInt(limit)) + " of the data: --limit " + limit + "; batchSize "
                + Text.count(h.batchSize()) + ")"
                : " (all the data had; batchSize " + Text.count(h.batchSize()) + ")";
        String epochs = metadata.containsKey("epochs") && metadata.containsKey("epochsPlanned")
                ? metadata.get("epochs") + " of " + metadata.get("epochsPlanned") : Integer.toString(h.epochs());
        if (metadata.containsKey("stoppedAfter")) {
            epochs = "stopped after " + metadata.get("stoppedAfter") + " of " + metadata.getOrDefault("epochsPlanned",
                    Integer.toString(h.epochs()));
        }
        String testLimit = metadata.getOrDefault("testLimit", "all");
        String test = metadata.containsKey("testSamples") ? "; test set " + Text.count(Long.parseLong(
                metadata.get("testSamples").matches("\\d+") ? metadata.get("testSamples") : "0"))
                + " samples" + (testLimit.matches("\\d+") ? " (--test-limit " + testLimit + ")" : "") : "";
        String best = metadata.containsKey("bestEpoch") ? "; the model is epoch " + metadata.get("bestEpoch")
                + "'s, the best (early stopping)" : "";
        console.result("training " + epochs + " epochs of " + Text.count(samples) + " samples" + why
                + ", mini-batches of " + h.miniBatchSize() + test + best);
    }

    /** What training would need, from the description; a warning when this machine cannot train it. */
    private static void memory(Console console, ModelSpec model, int bestCopies) {
        MemoryEstimate estimate = MemoryEstimate.of(model, TrainCommand.EVALUATION_BATCH)
                .withParameterCopies(bestCopies);
        console.result("memory   about " + MemoryEstimate.bytes(estimate.totalBytes()) + " to train (parameters with"
                + " their gradients " + MemoryEstimate.bytes(estimate.parameterBytes()) + ", activations "
                + MemoryEstimate.bytes(estimate.activationBytes()) + ")");
        try {
            estimate.require(MemoryEstimate.available());
        } catch (ConfigException e) {
            console.warn(e.getMessage());
        }
    }

    private static String fmt(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }

    /** A config is text; model archives (ZIP) and reference network files (a binary length first) are not. */
    static boolean isText(byte[] head) {
        for (int i = 0; i < Math.min(512, head.length); i++) {
            int c = head[i] & 0xff;
            if (c == 0 || c < 0x09 || c > 0x0d && c < 0x20 && c != 0x1b) {
                return false;
            }
        }
        return true;
    }
}
