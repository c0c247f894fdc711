package io.richard.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import io.richard.api.Quote;
import io.richard.api.spec.ModelSpec;
import io.richard.nd4j.Network;
import io.richard.nd4j.io.OnnxExport;
import io.richard.nd4j.io.SavedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code richard export MODEL -o FILE.onnx}: the model as an ONNX file for ONNX Runtime and other tools. */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        versionProvider = Richard.Version.class,
        description = {
            "Exports a model to ONNX, to run it with ONNX Runtime (Python, C#, JavaScript, phones, …).",
            "",
            "MODEL is a model archive, a checkpoint or a network file of the C++ Richard. The ONNX graph (opset "
                + OnnxExport.OPSET + ") takes the raw sample values, float32 (N, W·H·D) in the reference's order (x "
                + "fastest, then y, then channel), normalises them as the model's data section says, and outputs "
                + "the sigmoid activations (N, classes). The class names and the model description are in the "
                + "file's metadata (classes, model).",
            ""})
final class ExportCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "The trained model.")
    Path model;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE.onnx",
            description = "Where to write the ONNX model (replaced atomically). Default: ./MODEL-NAME.onnx")
    Path output;

    @Mixin
    CommonOptions common;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (output == null && Input.isStandardInput(model)) {
            throw new UsageException("the model is read from standard input: give the ONNX file's name with -o FILE");
        }
        Path onnx = output != null ? output : Path.of(TrainCommand.stem(model) + ".onnx");
        new RunFiles().input("model", "MODEL", model).output("ONNX model", "-o", onnx)
                .appended("log file", "--log", common.log).check();
        try (Console console = new Console(spec.commandLine().getOut(), spec.commandLine().getErr(), common.verbose,
                common.log)) {
            SavedModel saved = Input.loadModel(model);
            Network network = saved.network();
            ModelSpec modelSpec = network.model();
            Map<String, String> metadata = new LinkedHashMap<>(saved.metadata());
            metadata.put("exportedBy", "richard-cli " + Home.version());
            metadata.put("exportedFrom", (Input.isStandardInput(model) ? "standard input" : model.toString()) + " ("
                    + (saved.formatVersion() == 0 ? "network file of the C++ Richard" : "model archive v"
                    + saved.formatVersion()) + ")");
            try (RunFiles.Locks locks = new RunFiles().output("ONNX model", "-o", onnx).lock()) {
                OnnxExport.save(onnx, network, metadata);
            }
            console.result(String.format(Locale.ROOT, "exported %s to %s: ONNX opset %d, input %s float32 (N, %d) raw"
                    + " values, output %s float32 (N, %d) for classes %s", model, onnx, OnnxExport.OPSET,
                    Quote.single(OnnxExport.INPUT), modelSpec.inputShape().size(), Quote.single(OnnxExport.OUTPUT),
                    modelSpec.classes().size(), Text.classes(modelSpec.classes())));
            return 0;
        }
    }
}
