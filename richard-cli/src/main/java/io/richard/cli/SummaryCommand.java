package io.richard.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import io.richard.api.DataException;
import io.richard.api.spec.Hyperparams;
import io.richard.api.spec.ModelSpec;
import io.richard.nd4j.Network;
import io.richard.nd4j.io.Models;
import io.richard.nd4j.io.SavedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code richard summary CONFIG|MODEL}: the layer table with output shapes and parameter counts. */
@Command(name = "summary", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        versionProvider = Richard.Version.class,
        description = {
            "Prints the layers of a config or a model: output shapes and parameter counts.",
            "",
            "Also shows the data section and hyper-parameters, and, for a model archive, what it records about "
                + "its training.",
            ""})
final class SummaryCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "CONFIG|MODEL", description = "A config (YAML or JSON) or a model file.")
    Path file;

    @Mixin
    CommonOptions common;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try (Console console = new Console(spec.commandLine().getOut(), spec.commandLine().getErr(), common.verbose,
                common.log)) {
            if (!Files.exists(file)) {
                throw new DataException(file + ": no such file");
            }
            ModelSpec model;
            Network network;
            if (isText(file)) {
                TrainingConfig config = ConfigReader.read(file);
                config.warnings().forEach(console::warn);
                model = config.model();
                network = Network.create(model, config.training().seed());
                console.result("config   " + file);
                describe(console, model);
                TrainingOptions t = config.training();
                console.result("training data " + t.data().map(Path::toString).orElse("(none; give --data)")
                        + ", test " + t.test().map(Path::toString).orElse("(none)") + ", seed " + t.seed()
                        + ", " + (t.shuffle() ? "shuffled" : "data order")
                        + (t.resize() ? ", images resized" : "")
                        + t.limit().stream().mapToObj(n -> ", at most " + Text.count(n) + " samples").findFirst()
                        .orElse(""));
            } else {
                SavedModel saved = Models.load(file);
                network = saved.network();
                model = network.model();
                console.result("model    " + file + " (" + (saved.formatVersion() == 0 ? "reference network file"
                        : "model archive v" + saved.formatVersion()) + ")");
                describe(console, model);
                for (Map.Entry<String, String> entry : saved.metadata().entrySet()) {
                    console.result(String.format(Locale.ROOT, "  %-16s %s", entry.getKey(), entry.getValue()));
                }
            }
            console.result("");
            console.result(network.summary().stripTrailing());
            return 0;
        }
    }

    private static void describe(Console console, ModelSpec model) {
        Hyperparams h = model.network().hyperparams();
        console.result("classes  " + model.classes().size() + ": " + Text.classes(model.classes()));
        console.result("input    " + model.inputShape() + ", normalised from [" + fmt(model.data().normalization().min())
                + ", " + fmt(model.data().normalization().max()) + "]");
        console.result("training " + h.epochs() + " epochs of at most " + Text.count(h.batchSize())
                + " samples, mini-batches of " + h.miniBatchSize() + ", fetch size " + model.dataLoader().fetchSize());
    }

    private static String fmt(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }

    /** A config is text; model archives (ZIP) and reference network files (a binary length first) are not. */
    static boolean isText(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(512);
            if (head.length == 0) {
                return true;
            }
            for (byte b : head) {
                int c = b & 0xff;
                if (c == 0 || c < 0x09 || c > 0x0d && c < 0x20 && c != 0x1b) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return true;
        }
    }
}
