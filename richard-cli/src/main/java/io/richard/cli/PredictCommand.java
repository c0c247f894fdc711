package io.richard.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.richard.api.DataException;
import io.richard.api.Quote;
import io.richard.api.Shape;
import io.richard.api.spec.DataSpec;
import io.richard.nd4j.Network;
import io.richard.nd4j.data.CsvDataSet;
import io.richard.nd4j.data.IdxReader;
import io.richard.nd4j.data.ImageFolderDataSet;
import io.richard.nd4j.io.SavedModel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code richard predict MODEL INPUT...}: the predicted label and output vector of every sample. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        versionProvider = Richard.Version.class,
        description = {
            "Prints the predicted label and the output vector of every sample.",
            "",
            "The predicted label is the class of the output neuron with the largest activation (the first one on "
                + "ties).",
            "",
            "Each INPUT is an image file (PNG, JPEG, BMP), a folder of images (with sub-folders named after the "
                + "classes, their names are the expected labels), a CSV file whose rows are v1,…,vN or LABEL,v1,…,vN "
                + "(the label is shown as the expected one), or an IDX images file (labels beside it are shown as "
                + "expected).",
            ""},
        footer = {"", "Formats: text (one line per sample), csv (a header, then input,predicted,expected and one "
            + "column per class), json (JSON lines: one object per sample)."})
final class PredictCommand implements Callable<Integer> {

    private static final int CHUNK = 256;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(index = "0", paramLabel = "MODEL", description = "The trained model.")
    Path model;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "INPUT", description = "Samples to classify.")
    List<Path> inputs;

    @Option(names = "--format", paramLabel = "text|json|csv", defaultValue = "text",
            description = "Output format. Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--resize", negatable = true,
            description = "Scale images whose size differs from data.shape (default: as in training).")
    Boolean resize;

    @Option(names = "--limit", paramLabel = "N", description = "Read at most N samples of each INPUT.")
    Integer limit;

    @Mixin
    EngineOptions engine;

    @Mixin
    CommonOptions common;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Samples read from one input: a name, values and an expected label (or null) per sample. */
    private record Block(List<String> names, INDArray features, List<String> expected) {
    }

    private int labelled;
    private int correct;

    @Override
    public Integer call() throws JsonProcessingException {
        String fmt = format.toLowerCase(Locale.ROOT);
        if (!List.of("text", "json", "csv").contains(fmt)) {
            throw new UsageException("--format must be text, json or csv, got " + Quote.single(format));
        }
        if (limit != null && limit <= 0) {
            throw new UsageException("--limit must be a positive number, got " + limit);
        }
        RunFiles files = new RunFiles().input("model", "MODEL", model).appended("log file", "--log", common.log);
        inputs.forEach(input -> files.input("input", "INPUT", input));
        files.check();
        try (Console console = new Console(spec.commandLine().getOut(), spec.commandLine().getErr(), common.verbose,
                common.log)) {
            engine.apply();
            long fromStandardInput = inputs.stream().filter(Input::isStandardInput).count()
                    + (Input.isStandardInput(model) ? 1 : 0);
            if (fromStandardInput > 1) {
                throw new UsageException("standard input (-) is given " + fromStandardInput + " times; it can be read"
                        + " once");
            }
            for (Path input : inputs) {
                if (!Input.isStandardInput(input) && !Files.exists(input)) {
                    throw new DataException(input + ": no such file or directory");
                }
            }
            SavedModel saved = Input.loadModel(model);
            Network network = engine.onKernels(saved.network());
            DataSpec data = network.model().data();
            boolean resizeValue = resize != null ? resize
                    : Boolean.parseBoolean(saved.metadata().getOrDefault("resize", "false"));
            int max = limit == null ? Integer.MAX_VALUE : limit;
            if (fmt.equals("csv")) {
                StringBuilder header = new StringBuilder("input,predicted,expected");
                for (String label : data.classes()) {
                    header.append(',').append(csv(label));
                }
                console.result(header.toString());
            }
            for (Path input : inputs) {
                for (Block block : read(input, data, resizeValue, max)) {
                    print(console, network, data.classes(), block, fmt);
                }
            }
            if (labelled > 0) {
                console.info("accuracy on the " + Text.count(labelled) + " inputs with a label: "
                        + Text.percent((double) correct / labelled) + " (" + Text.count(correct) + " correct)");
            }
            return 0;
        }
    }

    private List<Block> read(Path input, DataSpec data, boolean resize, int max) {
        Shape shape = data.shape();
        if (Files.isDirectory(input)) {
            List<String> names = new ArrayList<>();
            List<Path> files = new ArrayList<>();
            List<String> expected = new ArrayList<>();
            if (DataSources.hasClassFolders(input, data.classes())) {
                for (String label : data.classes()) {
                    Path folder = input.resolve(label);
                    if (Files.isDirectory(folder)) {
                        for (Path file : DataSources.files(folder)) {
                            files.add(file);
                            expected.add(label);
                        }
                    }
                }
            } else {
                for (Path file : DataSources.files(input)) {
                    files.add(file);
                    expected.add(null);
                }
            }
            if (files.isEmpty()) {
                throw new DataException(input + ": the folder holds no images");
            }
            List<Block> blocks = new ArrayList<>();
            int count = Math.min(max, files.size());
            for (int from = 0; from < count; from += CHUNK) {
                int to = Math.min(count, from + CHUNK);
                float[][] rows = new float[to - from][];
                for (int i = from; i < to; i++) {
                    rows[i - from] = ImageFolderDataSet.readImage(files.get(i), shape, data.normalization(), resize);
                    names.add(files.get(i).toString());
                }
                blocks.add(new Block(List.copyOf(names), Nd4j.createFromArray(rows),
                        new ArrayList<>(expected.subList(from, to))));
                names.clear();
            }
            return blocks;
        }
        try (Input in = Input.open(input, "input")) {
            String name = in.name();
            switch (DataSources.kind(in)) {
                case IMAGE -> {
                    float[] values = ImageFolderDataSet.readImage(in.stream(), name, shape, data.normalization(),
                            resize);
                    return List.of(new Block(List.of(name), Nd4j.createFromArray(new float[][] {values}),
                            nullList(1)));
                }
                case IDX_IMAGES -> {
                    return List.of(idx(in, data, max));
                }
                case IDX_LABELS, IDX_OTHER -> throw new DataException(name + ": is an IDX file but not of images;"
                        + " give the images file");
                default -> {
                    CsvDataSet.Rows rows = CsvDataSet.readRows(in.stream(), name, shape, data.normalization(), max);
                    List<String> names = new ArrayList<>();
                    for (int line : rows.lines()) {
                        names.add(name + ":" + line);
                    }
                    return List.of(new Block(names, rows.features(), rows.labels()));
                }
            }
        }
    }

    /** IDX images (and their labels, when the input is a file with its labels file beside it). */
    private static Block idx(Input input, DataSpec data, int max) {
        Shape shape = data.shape();
        IdxReader.Images images = IdxReader.readImages(input.stream(), input.name(), input.length(),
                data.normalization(), max);
        if ((long) images.rows() * images.columns() != shape.size()) {
            throw new DataException(input.name() + ": images are " + images.columns() + "×" + images.rows() + " ("
                    + (long) images.rows() * images.columns() + " values) but the model's data.shape " + shape
                    + " has " + shape.size());
        }
        int count = (int) images.features().rows();
        List<String> expected = nullList(count);
        Optional<Path> labels = input.regularFile().flatMap(DataSources::findLabelsBeside);
        if (labels.isPresent()) {
            IdxReader.readLabelBytes(labels.get(), count).ifPresent(bytes -> {
                for (int i = 0; i < count; i++) {
                    expected.set(i, Integer.toString(bytes[i]));
                }
            });
        }
        List<String> names = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            names.add(input.name() + "#" + i);
        }
        return new Block(names, images.features(), expected);
    }

    private static List<String> nullList(int n) {
        List<String> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(null);
        }
        return list;
    }

    private void print(Console console, Network network, List<String> classes, Block block, String fmt)
            throws JsonProcessingException {
        long rows = block.features().rows();
        for (long from = 0; from < rows; from += CHUNK) {
            long to = Math.min(rows, from + CHUNK);
            INDArray x = block.features().get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
            INDArray outputs = network.output(x, engine.splitThreads(network));
            int[] predicted = Network.argmax(outputs);
            float[][] values = outputs.castTo(DataType.FLOAT).toFloatMatrix();
            for (int i = 0; i < predicted.length; i++) {
                int sample = (int) from + i;
                String name = block.names().get(sample);
                String label = classes.get(predicted[i]);
                String expected = block.expected().get(sample);
                if (expected != null) {
                    labelled++;
                    if (expected.equals(label)) {
                        correct++;
                    }
                }
                console.result(switch (fmt) {
                    case "json" -> json(name, label, expected, classes, values[i]);
                    case "csv" -> csvRow(name, label, expected, values[i]);
                    default -> text(name, label, expected, values[i]);
                });
            }
        }
    }

    private static String text(String name, String label, String expected, float[] outputs) {
        StringBuilder line = new StringBuilder(name).append(": ").append(label);
        if (expected != null) {
            line.append(expected.equals(label) ? " (expected " + expected + ")" : " (expected " + expected + ", wrong)");
        }
        line.append("  [");
        for (int i = 0; i < outputs.length; i++) {
            line.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.4f", outputs[i]));
        }
        return line.append(']').toString();
    }

    private static String csvRow(String name, String label, String expected, float[] outputs) {
        StringBuilder line = new StringBuilder(csv(name)).append(',').append(csv(label)).append(',')
                .append(expected == null ? "" : csv(expected));
        for (float value : outputs) {
            line.append(',').append(String.format(Locale.ROOT, "%.6g", value));
        }
        return line.toString();
    }

    private static String json(String name, String label, String expected, List<String> classes, float[] outputs)
            throws JsonProcessingException {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("input", name);
        object.put("predicted", label);
        if (expected != null) {
            object.put("expected", expected);
        }
        Map<String, Float> scores = new LinkedHashMap<>();
        for (int i = 0; i < outputs.length; i++) {
            scores.put(classes.get(i), outputs[i]);
        }
        object.put("outputs", scores);
        return JSON.writeValueAsString(object);
    }

    private static String csv(String field) {
        if (field.contains(",") || field.contains("\"") || field.contains("\n")) {
            return "\"" + field.replace("\"", "\"\"") + "\"";
        }
        return field;
    }
}
