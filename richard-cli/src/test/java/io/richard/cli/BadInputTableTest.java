package io.richard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * A table of malformed inputs run through the real command line in-process: configs, data files, model archives,
 * reference network files and checkpoints. Each must end with exit status 2 and exactly the expected one-line
 * message (no stack trace), and must leave every file in the working folder exactly as it was (contents and
 * modification times), in particular the model, checkpoint, metrics and plot files a run would write.
 */
class BadInputTableTest {

    @TempDir
    static Path dir;

    private static Path out;
    private static Path model;
    private static Path checkpoint;
    private static final List<String> FAILURES = new ArrayList<>();

    /** One row: what to run and the message it must give (a {@code re:} prefix makes it a regular expression). */
    record Case(String name, String[] args, String expected) {
    }

    @BeforeAll
    static void fixtures() throws IOException {
        Fixtures.csvProject(dir);
        Fixtures.imageProject(dir.resolve("img"));
        Fixtures.idxProject(dir.resolve("idx"));
        out = Files.createDirectories(dir.resolve("out"));
        model = dir.resolve("good.richard");
        checkpoint = dir.resolve("good.checkpoint");
        Fixtures.Result trained = Fixtures.run("train", dir.resolve("config.yaml").toString(), "--model", model.toString(),
                "--checkpoint-every", "1", "--checkpoint", checkpoint.toString(), "--progress", "none");
        assertEquals(0, trained.status(), trained::toString);
        Fixtures.Result reference = Fixtures.run("train", dir.resolve("config.yaml").toString(), "--model",
                dir.resolve("good.net").toString(), "--model-format", "reference", "--epochs", "0", "--progress", "none");
        assertEquals(0, reference.status(), reference::toString);
        // the outputs a train run of the table would write, each already there from an earlier run
        Files.copy(model, out.resolve("m.richard"));
        Files.copy(checkpoint, out.resolve("m.richard.checkpoint"));
        Files.copy(dir.resolve("good.richard.metrics.jsonl"), out.resolve("m.richard.metrics.jsonl"));
        Files.write(out.resolve("plot.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.setLastModifiedTime(file, FileTime.fromMillis(1_500_000_000_000L));
            }
        }
    }

    @AfterAll
    static void report() {
        System.out.println("bad-input table: " + COUNT[0] + " inputs tried, " + FAILURES.size() + " failed");
    }

    private static final int[] COUNT = {0};

    // ---------------------------------------------------------------------------------------------------------
    // helpers that write a bad input and return the arguments that run it

    private static Path write(String name, String text) {
        try {
            Path file = dir.resolve("bad").resolve(name);
            Files.createDirectories(file.getParent());
            return Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path write(String name, byte[] bytes) {
        try {
            Path file = dir.resolve("bad").resolve(name);
            Files.createDirectories(file.getParent());
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code richard train CONFIG} writing to the protected outputs. */
    private static String[] train(Path config, String... more) {
        List<String> args = new ArrayList<>(List.of("train", config.toString(), "--model", out.resolve("m.richard")
                .toString(), "--plot", out.resolve("plot.png").toString(), "--progress", "none"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    /** A copy of the CSV config with one replacement, as a train run. */
    private static String[] csvConfig(String name, String from, String to, String... more) {
        assertTrue(Fixtures.CSV_CONFIG.contains(from), from);
        return train(write(name, Fixtures.CSV_CONFIG.replace(from, to).replace("data: train.csv", "data: ../train.csv")
                .replace("test: test.csv", "test: ../test.csv")), more);
    }

    private static String[] imageConfig(String name, String from, String to) {
        assertTrue(Fixtures.IMAGE_CONFIG.contains(from), from);
        return train(write(name, Fixtures.IMAGE_CONFIG.replace(from, to).replace("images/", "../img/images/")));
    }

    private static String[] trainData(Path data) {
        return train(dir.resolve("config.yaml"), "--data", data.toString());
    }

    private static String[] eval(Path modelFile) {
        return new String[] {"eval", modelFile.toString(), dir.resolve("test.csv").toString()};
    }

    private static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A copy of a model file (archive, checkpoint or reference network file, written in the same format) whose
     * parameter {@code name} of layer {@code layer} holds {@code value} at its element [0, 1].
     */
    private static Path nonFinite(String name, Path source, int layer, String parameter, double value) {
        Path file = dir.resolve("bad").resolve(name);
        io.richard.nd4j.Network network = io.richard.nd4j.io.Models.load(source).network();
        network.layers().get(layer).parameters().stream().filter(p -> p.name().equals(parameter)).findFirst()
                .orElseThrow().value().putScalar(new long[] {0, 1}, value);
        if (name.endsWith(".net")) {
            io.richard.nd4j.io.ReferenceNetworkFile.save(file, network);
        } else if (name.endsWith(".checkpoint")) {
            io.richard.nd4j.io.Checkpoint saved = io.richard.nd4j.io.Checkpoint.load(source);
            io.richard.nd4j.io.Checkpoint.save(file, network, saved.state(), saved.metadata());
        } else {
            io.richard.nd4j.io.ModelArchive.save(file, network, Map.of());
        }
        return file;
    }

    /** The entries of a ZIP archive, in order. */
    static Map<String, byte[]> unzip(byte[] archive) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(archive))) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                entries.put(entry.getName(), zip.readAllBytes());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return entries;
    }

    /** A ZIP archive of the given entries. */
    static byte[] zip(Map<String, byte[]> entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The good model (or checkpoint) with one entry changed by {@code edit}; returns the new archive's path. */
    private static Path editedArchive(String name, Path source, String entry, Function<String, String> edit) {
        Map<String, byte[]> entries = unzip(bytes(source));
        String text = new String(entries.get(entry), StandardCharsets.UTF_8);
        String changed = edit.apply(text);
        assertFalse(text.equals(changed), "the edit of " + name + " changed nothing");
        entries.put(entry, changed.getBytes(StandardCharsets.UTF_8));
        return write(name, zip(entries));
    }

    /**
     * A ZIP whose local header and central directory declare {@code declared} uncompressed bytes for a tiny
     * deflated entry: what a zip bomb announces.
     */
    private static byte[] declaredSize(byte[] archive, String entryName, long declared) {
        ByteBuffer buffer = ByteBuffer.wrap(archive.clone()).order(ByteOrder.LITTLE_ENDIAN);
        byte[] name = entryName.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + 46 < archive.length; i++) {
            int signature = buffer.getInt(i);
            if (signature == 0x04034b50 && matches(archive, i + 30, name)) {
                buffer.putInt(i + 22, (int) declared);                       // local header: uncompressed size
            } else if (signature == 0x02014b50 && matches(archive, i + 46, name)) {
                buffer.putInt(i + 24, (int) declared);                       // central directory: uncompressed size
            }
        }
        return buffer.array();
    }

    private static boolean matches(byte[] bytes, int at, byte[] name) {
        if (at + name.length > bytes.length) {
            return false;
        }
        for (int j = 0; j < name.length; j++) {
            if (bytes[at + j] != name[j]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] gzip(byte[] raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream gz = new java.util.zip.GZIPOutputStream(bytes)) {
            gz.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static byte[] idx(int magic, int... dimsThenData) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream data = new DataOutputStream(bytes)) {
            data.writeInt(magic);
            for (int v : dimsThenData) {
                data.writeInt(v);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    // ---------------------------------------------------------------------------------------------------------

    private static List<Case> table;

    private static synchronized List<Case> cases() {
        if (table == null) {
            table = List.copyOf(buildCases());
        }
        return table;
    }

    private static List<Case> buildCases() {
        List<Case> cases = new ArrayList<>();
        String csv = dir.resolve("bad") + "/";
        // ---- configs: syntax
        cases.add(new Case("YAML: unclosed flow sequence", csvConfig("c01.yaml", "shape: [2, 2, 1]", "shape: [2, 2, 1"),
                "DIR/bad/c01.yaml:4:16: YAML syntax error while parsing a flow sequence (started at line"
                + " 3, column 10): expected ',' or ']', but got :"));
        cases.add(new Case("YAML: tab indentation", csvConfig("c02.yaml", "  classes: [a, b]", "\tclasses: [a, b]"),
                "DIR/bad/c02.yaml:2:1: YAML syntax error while scanning for the next token: found"
                + " character '\\t(TAB)' that cannot start any token. (Do not use \\t(TAB) for indentation)"));
        cases.add(new Case("YAML: key without value mapping", csvConfig("c03.yaml", "dataLoader:\n  fetchSize: 7",
                "dataLoader:\n  fetchSize: 7\n   nested: 1"),
                "DIR/bad/c03.yaml:7:10: YAML syntax error: mapping values are not allowed here"));
        cases.add(new Case("JSON: missing comma", train(write("c04.json", "{\"data\": {\"classes\": [\"a\", \"b\"]"
                + " \"shape\": [2, 2, 1]}}")),
                "DIR/bad/c04.json:1:33: JSON syntax error: Unexpected character ('\"' (code 34)): was"
                + " expecting comma to separate Object entries"));
        cases.add(new Case("empty config", train(write("c05.yaml", "")),
                "DIR/bad/c05.yaml: the config is empty; expected a mapping with the keys data, dataLoader,"
                + " classifier (and optionally training, spark)"));
        cases.add(new Case("config is a list", train(write("c06.yaml", "- a\n- b\n")),
                "DIR/bad/c06.yaml:1:1: expected a mapping with the keys data, dataLoader, classifier (and"
                + " optionally training, spark), got a list"));
        cases.add(new Case("config is binary", train(write("c07.yaml", new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2})),
                "DIR/bad/c07.yaml: not a text file (expected a YAML or JSON config in UTF-8)"));
        // ---- configs: keys and types
        cases.add(new Case("unknown top-level key", csvConfig("c08.yaml", "training:", "trainng:"),
                "DIR/bad/c08.yaml:13:1: trainng: unknown key 'trainng'; did you mean 'training'? (valid"
                + " keys here: classifier, data, dataLoader, spark, training)"));
        cases.add(new Case("unknown layer key", csvConfig("c09.yaml", "{type: dense, size: 6, learnRate: 0.5}",
                "{type: dense, sise: 6, learnRate: 0.5}"),
                "DIR/bad/c09.yaml:11:23: classifier.network.hiddenLayers[0].sise: unknown key 'sise'; did"
                + " you mean 'size'? (valid keys here: size, learnRate, learnRateDecay, dropoutRate)"));
        cases.add(new Case("unknown layer type", csvConfig("c10.yaml", "type: dense", "type: dens"),
                "DIR/bad/c10.yaml:11:16: classifier.network.hiddenLayers[0].type: unknown layer type"
                + " 'dens'; did you mean 'dense'? (expected one of dense, convolutional, maxPooling)"));
        cases.add(new Case("duplicate key", csvConfig("c11.yaml", "  fetchSize: 7", "  fetchSize: 7\n  fetchSize: 8"),
                "DIR/bad/c11.yaml:7:3: dataLoader.fetchSize: duplicate key 'fetchSize' (first written at"
                + " line 6)"));
        cases.add(new Case("null value", csvConfig("c12.yaml", "learnRate: 0.5}\n    outputLayer",
                "learnRate: }\n    outputLayer"),
                "DIR/bad/c12.yaml:11:32: classifier.network.hiddenLayers[0].learnRate: no value (null);"
                + " expected a number, or leave the key out"));
        cases.add(new Case("string for an integer", csvConfig("c13.yaml", "epochs: 2", "epochs: two"),
                "DIR/bad/c13.yaml:9:27: classifier.network.hyperparams.epochs: expected an integer >= 0,"
                + " got the string \"two\""));
        cases.add(new Case("fraction for an integer", csvConfig("c14.yaml", "miniBatchSize: 4", "miniBatchSize: 4.5"),
                "DIR/bad/c14.yaml:9:62: classifier.network.hyperparams.miniBatchSize: expected a positive"
                + " integer, got the number 4.5"));
        cases.add(new Case("number for the shape", csvConfig("c15.yaml", "shape: [2, 2, 1]", "shape: 4"),
                "DIR/bad/c15.yaml:3:10: data.shape: expected an array of 3 positive integers [W, H, D],"
                + " got the integer 4"));
        cases.add(new Case("mapping for the classes", csvConfig("c16.yaml", "classes: [a, b]", "classes: {a: 1}"),
                "DIR/bad/c16.yaml:2:12: data.classes: expected a list of class labels, e.g. [\"cat\","
                + " \"dog\"], got a mapping"));
        cases.add(new Case("two-value shape", csvConfig("c17.yaml", "shape: [2, 2, 1]", "shape: [2, 2]"),
                "DIR/bad/c17.yaml:3:10: data.shape: a shape must be an array of 3 integers [W, H, D], got"
                + " 2 value(s)"));
        cases.add(new Case("boolean for a number", csvConfig("c18.yaml", "normalization: {min: 0, max: 10}",
                "normalization: {min: 0, max: true}"),
                "DIR/bad/c18.yaml:4:32: data.normalization.max: expected a number, got the boolean true"));
        // ---- configs: sizes
        cases.add(new Case("zero dense size", csvConfig("c19.yaml", "size: 6", "size: 0"),
                "DIR/bad/c19.yaml:11:29: classifier.network.hiddenLayers[0].size: dense layer: size must"
                + " be a positive integer, got 0"));
        cases.add(new Case("negative mini-batch size", csvConfig("c20.yaml", "miniBatchSize: 4", "miniBatchSize: -4"),
                "DIR/bad/c20.yaml:9:62: classifier.network.hyperparams.miniBatchSize:"
                + " hyperparams.miniBatchSize must be a positive integer, got -4"));
        cases.add(new Case("zero fetch size", csvConfig("c21.yaml", "fetchSize: 7", "fetchSize: 0"),
                "DIR/bad/c21.yaml:6:14: dataLoader.fetchSize: dataLoader.fetchSize must be a positive"
                + " integer, got 0"));
        cases.add(new Case("negative epochs", csvConfig("c22.yaml", "epochs: 2", "epochs: -1"),
                "DIR/bad/c22.yaml:9:27: classifier.network.hyperparams.epochs: hyperparams.epochs must be"
                + " >= 0, got -1"));
        cases.add(new Case("zero in the shape", csvConfig("c23.yaml", "shape: [2, 2, 1]", "shape: [2, 0, 1]"),
                "DIR/bad/c23.yaml:3:10: data.shape: shape [2, 0, 1] is invalid: every dimension must be a"
                + " positive integer"));
        cases.add(new Case("negative convolution depth", imageConfig("c24.yaml", "depth: 2", "depth: -2"),
                "DIR/bad/c24.yaml:11:38: classifier.network.hiddenLayers[0].depth: convolutional layer:"
                + " depth must be a positive integer, got -2"));
        cases.add(new Case("negative learning rate", csvConfig("c25.yaml", "outputLayer: {size: 2, learnRate: 0.5}",
                "outputLayer: {size: 2, learnRate: -0.5}"),
                "DIR/bad/c25.yaml:12:39: classifier.network.outputLayer.learnRate: output layer: learnRate"
                + " must be a finite number >= 0, got -0.5"));
        cases.add(new Case("dropout rate of 1.5", csvConfig("c26.yaml", "{type: dense, size: 6, learnRate: 0.5}",
                "{type: dense, size: 6, learnRate: 0.5, dropoutRate: 1.5}"),
                "DIR/bad/c26.yaml:11:61: classifier.network.hiddenLayers[0].dropoutRate: dense layer:"
                + " dropoutRate must be in [0, 1), got 1.5"));
        cases.add(new Case("a shape of 30 billion values", csvConfig("c27.yaml", "shape: [2, 2, 1]",
                "shape: [100000, 100000, 3]"),
                "DIR/bad/c27.yaml:3:10: data.shape: shape [100000, 100000, 3] has 30000000000 values; at"
                + " most 2147483647 per sample are supported"));
        // ---- configs: networks that cannot be built
        cases.add(new Case("kernel larger than the input", imageConfig("c28.yaml", "kernelSize: [3, 3]",
                "kernelSize: [5, 3]"),
                "DIR/bad/c28.yaml:11:9: classifier.network.hiddenLayers[0]: convolutional layer: kernel"
                + " 5×3 is larger than its input 4×4 (input shape [4, 4, 1])"));
        cases.add(new Case("pooling region that does not divide", imageConfig("c29.yaml", "regionSize: [2, 2]",
                "regionSize: [3, 2]"),
                "DIR/bad/c29.yaml:12:9: classifier.network.hiddenLayers[1]: maxPooling layer: region width"
                + " 3 does not divide input width 2 (input shape [2, 2, 2])"));
        cases.add(new Case("output size differs from the classes", csvConfig("c30.yaml", "outputLayer: {size: 2,",
                "outputLayer: {size: 3,"),
                "DIR/bad/c30.yaml:12:25: classifier.network.outputLayer.size: size is 3 but there are 2"
                + " classes; the output layer needs one neuron per class"));
        cases.add(new Case("min = max", csvConfig("c31.yaml", "{min: 0, max: 10}", "{min: 10, max: 10}"),
                "DIR/bad/c31.yaml:4:24: data.normalization.min: min and max are both 10.0; they must"
                + " differ (values are scaled by 1 / (max - min))"));
        cases.add(new Case("network too large for the memory", csvConfig("c32.yaml", "{type: dense, size: 6,",
                "{type: dense, size: 2000000000,"),
                "re:" + java.util.regex.Pattern.quote("the network is too large to train here: it needs about 4.0 TB (14,000,000,002 parameters: 156.5 GB with their gradients; activations for mini-batches of 4 and evaluation batches of 256: 3.9 TB), but only ") + "[0-9.]+ [KMGT]?B" + java.util.regex.Pattern.quote(" of physical memory is free; use fewer or smaller layers or smaller mini-batches")));
        cases.add(new Case("output layer with a hidden type", csvConfig("c33.yaml", "outputLayer: {size: 2,",
                "outputLayer: {type: dense, size: 2,"),
                "DIR/bad/c33.yaml:12:25: classifier.network.outputLayer.type: the output layer's type is"
                + " 'dense'; it must be 'output' (or leave the key out)"));
        cases.add(new Case("normalization range that overflows", csvConfig("c34.yaml", "{min: 0, max: 10}",
                "{min: -1.7e308, max: 1.7e308}"),
                "DIR/bad/c34.yaml:4:24: data.normalization.min: min -1.7E308 and max 1.7E308 give a range max - min"
                + " that is not finite (it overflows); inputs are 32-bit floats scaled by 1 / (max - min), so min and"
                + " max must lie within ±3.4E38 and differ by 1.2E-38 to 3.4E38 (otherwise every input becomes 0,"
                + " infinite or NaN)"));
        cases.add(new Case("normalization range too small for 32-bit floats", csvConfig("c35.yaml",
                "{min: 0, max: 10}", "{min: 0, max: 1e-300}"),
                "DIR/bad/c35.yaml:4:24: data.normalization.min: min 0.0 and max 1.0E-300 give a range max - min of"
                + " 1.0E-300; inputs are 32-bit floats scaled by 1 / (max - min), so min and max must lie within"
                + " ±3.4E38 and differ by 1.2E-38 to 3.4E38 (otherwise every input becomes 0, infinite or NaN)"));
        // ---- files that are not there
        cases.add(new Case("missing config", train(dir.resolve("absent.yaml")),
                "DIR/absent.yaml: no such config file"));
        cases.add(new Case("config is a folder", train(dir.resolve("img")),
                "DIR/img: is a directory, not a config file"));
        cases.add(new Case("missing data", trainData(dir.resolve("nothing.csv")),
                "DIR/nothing.csv: no such file or directory"));
        cases.add(new Case("missing test data", train(dir.resolve("config.yaml"), "--test", dir.resolve("nothing")
                .toString()),
                "DIR/nothing: no such file or directory"));
        // ---- CSV data
        cases.add(new Case("CSV row too short", trainData(write("d01.csv", "a,1,2,3,4\nb,1,2,3\n")),
                "DIR/bad/d01.csv:2: row has 3 values after the label, but data.shape needs 4 (expected"
                + " LABEL,v1,…,v4)"));
        cases.add(new Case("CSV row too long", trainData(write("d02.csv", "a,1,2,3,4\nb,1,2,3,4,5\n")),
                "DIR/bad/d02.csv:2: row has 5 values after the label, but data.shape needs 4 (expected"
                + " LABEL,v1,…,v4)"));
        cases.add(new Case("CSV non-number", trainData(write("d03.csv", "a,1,2,3,4\nb,1,2,x3,4\n")),
                "DIR/bad/d03.csv:2: field 4 ('x3') is not a number"));
        cases.add(new Case("CSV label not a class", trainData(write("d04.csv", "a,1,2,3,4\nc,1,2,3,4\n")),
                "DIR/bad/d04.csv:2: label 'c' is not one of data.classes [a, b]"));
        cases.add(new Case("CSV NaN value", trainData(write("d05.csv", "a,1,2,3,4\nb,1,NaN,3,4\n")),
                "DIR/bad/d05.csv:2: field 3 ('NaN') is not a number"));
        cases.add(new Case("CSV empty file", trainData(write("d06.csv", "")),
                "DIR/bad/d06.csv: no samples; the file is empty (expected one line LABEL,v1,…,v4 per"
                + " sample)"));
        cases.add(new Case("CSV empty label", trainData(write("d07.csv", ",1,2,3,4\n")),
                "DIR/bad/d07.csv:1: the label (field 1) is empty; expected a class name"));
        cases.add(new Case("binary data that is not IDX", trainData(write("d08.bin", new byte[] {1, 0, 2, 0, 3, 0})),
                "DIR/bad/d08.bin: is neither a CSV text file nor IDX data (it holds binary data, found"
                + " bytes 01 00 02 00); expected a CSV file (LABEL,v1,…,vN per line), an image folder, an"
                + " IDX images file or an MNIST folder"));
        // ---- IDX data
        Path idxDir = dir.resolve("idx/mnist");
        byte[] images = bytes(idxDir.resolve("train-images-idx3-ubyte.gz"));
        byte[] labels = bytes(idxDir.resolve("train-labels-idx1-ubyte.gz"));
        Path truncated = write("idx1/train-images-idx3-ubyte.gz", java.util.Arrays.copyOf(images, images.length / 2));
        write("idx1/train-labels-idx1-ubyte.gz", labels);
        cases.add(new Case("IDX truncated images", idxTrain(truncated),
                "images file DIR/bad/idx1/train-images-idx3-ubyte.gz is truncated: expected 1,080 bytes of the"
                + " images, found 0 before its gzip data ended"));
        Path wrongMagic = write("idx2/train-images-idx3-ubyte", idx(0x00000D03, 2, 6, 6));
        write("idx2/train-labels-idx1-ubyte", idx(0x00000801, 2));
        cases.add(new Case("IDX wrong magic (float32 images)", idxTrain(wrongMagic),
                "DIR/bad/idx2/train-images-idx3-ubyte: is an IDX file of float32 values in 3 dimensions"
                + " (magic number 0x00000d03), not of images; expected the magic number 0x00000803 (unsigned"
                + " bytes, 3 dimensions)"));
        Path notIdx = write("idx3/train-images-idx3-ubyte", "P5\n6 6\n255\n".getBytes(StandardCharsets.US_ASCII));
        write("idx3/train-labels-idx1-ubyte", idx(0x00000801, 0));
        cases.add(new Case("IDX images file that is not IDX", idxTrain(notIdx),
                "DIR/bad/idx3/train-images-idx3-ubyte: is named like an IDX file but does not start like"
                + " one (found bytes 50 35 0a 36; IDX images start with 00 00 08 03)"));
        Path fewLabels = write("idx4/train-images-idx3-ubyte.gz", images);
        write("idx4/train-labels-idx1-ubyte.gz", gzip(idx(0x00000801, 3, 0x00010001)));
        cases.add(new Case("IDX fewer labels than images", idxTrain(fewLabels),
                "images file DIR/bad/idx4/train-images-idx3-ubyte.gz holds 30 images but labels file"
                + " DIR/bad/idx4/train-labels-idx1-ubyte.gz holds 3 labels; the counts must be equal"));
        Path noLabels = write("idx5/train-images-idx3-ubyte.gz", images);
        cases.add(new Case("IDX labels file missing", idxTrain(noLabels),
                "DIR/bad/idx5/train-images-idx3-ubyte.gz: the labels file"
                + " DIR/bad/idx5/train-labels-idx1-ubyte.gz does not exist"));
        // ---- image folders
        Path emptyClass = copyImages("f1");
        deleteFiles(emptyClass.resolve("light"));
        cases.add(new Case("empty class folder", imagesTrain(emptyClass),
                "DIR/bad/f1/light: the folder of class 'light' holds no images"));
        Path undecodable = copyImages("f2");
        write("f2/dark/zz-broken.png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13, 1, 2});
        cases.add(new Case("undecodable image", imagesTrain(undecodable),
                "DIR/bad/f2/dark/zz-broken.png: cannot decode the image: I/O error reading PNG header!"));
        Path wrongSize = copyImages("f3");
        writePng(wrongSize.resolve("light/zz-big.png"), 6, 4);
        cases.add(new Case("image of the wrong size", imagesTrain(wrongSize),
                "DIR/bad/f3/light/zz-big.png: image is 6×4 but data.shape [4, 4, 1] needs 4×4; resize the"
                + " images or allow resizing (training.resize: true, --resize)"));
        Path missingClass = copyImages("f4");
        deleteFiles(missingClass.resolve("dark"));
        deleteDir(missingClass.resolve("dark"));
        cases.add(new Case("class folder missing", imagesTrain(missingClass),
                "DIR/bad/f4/dark: no such directory; an image data set needs one sub-folder per class of"
                + " data.classes [dark, light]"));
        Path textFile = copyImages("f5");
        write("f5/dark/notes.txt", "not an image");
        cases.add(new Case("non-image file in a class folder", imagesTrain(textFile),
                "DIR/bad/f5/dark/notes.txt: not an image that can be read (PNG, JPEG, BMP or GIF expected)"));
        // ---- model archives (eval)
        byte[] good = bytes(model);
        cases.add(new Case("truncated archive", eval(write("m01.richard", java.util.Arrays.copyOf(good, good.length - 40))),
                "DIR/bad/m01.richard is damaged or truncated: its ZIP structure cannot be read (zip END"
                + " header not found)"));
        cases.add(new Case("archive cut in half", eval(write("m02.richard", java.util.Arrays.copyOf(good, good.length / 2))),
                "DIR/bad/m02.richard is damaged or truncated: its ZIP structure cannot be read (zip END"
                + " header not found)"));
        cases.add(new Case("empty model file", eval(write("m03.richard", new byte[0])),
                "DIR/bad/m03.richard is empty; expected a model file (a Richard model archive or a network"
                + " file of the C++ Richard)"));
        cases.add(new Case("text file as model", eval(write("m04.richard", "hello")),
                "DIR/bad/m04.richard is neither a Richard model archive (a ZIP file, starting with PK) nor"
                + " a network file of the C++ Richard: it has 5 bytes, fewer than the 8-byte config length"
                + " it must start with"));
        cases.add(new Case("newer format version", eval(editedArchive("m05.richard", model, "richard-model.json",
                t -> t.replace("\"formatVersion\" : 1", "\"formatVersion\" : 99"))),
                "DIR/bad/m05.richard has model archive format version 99, written by a newer Richard; this"
                + " version reads format version 1 at most. Upgrade Richard to load it"));
        cases.add(new Case("format version not a number", eval(editedArchive("m06.richard", model, "richard-model.json",
                t -> t.replace("\"formatVersion\" : 1", "\"formatVersion\" : \"one\""))),
                "DIR/bad/m06.richard richard-model.json has no integer formatVersion; expected 1"));
        cases.add(new Case("tampered parameter shape", eval(editedArchive("m07.richard", model, "richard-model.json",
                t -> t.replaceFirst("\"shape\" : \\[ 6, 4 \\]", "\"shape\" : [ 4, 6 ]"))),
                "DIR/bad/m07.richard richard-model.json gives hiddenLayers[0] (dense) parameter W the"
                + " shape (4, 6), but the model description implies (6, 4)"));
        cases.add(new Case("tampered layer size", eval(editedArchive("m08.richard", model, "richard-model.json",
                t -> t.replaceFirst("\"size\" : 6", "\"size\" : 7"))),
                "DIR/bad/m08.richard richard-model.json gives hiddenLayers[0] (dense) parameter W the"
                + " shape (6, 4), but the model description implies (7, 4)"));
        Map<String, byte[]> slip = unzip(good);
        slip.put("../evil.npy", new byte[] {1, 2, 3});
        cases.add(new Case("zip-slip entry with ..", eval(write("m09.richard", zip(slip))),
                "DIR/bad/m09.richard holds an entry with an unsafe name '../evil.npy' (an absolute path or"
                + " one containing '..'); refusing to load it"));
        Map<String, byte[]> absolute = unzip(good);
        absolute.put("/etc/cron.d/evil", new byte[] {1, 2, 3});
        cases.add(new Case("zip-slip absolute entry", eval(write("m10.richard", zip(absolute))),
                "DIR/bad/m10.richard holds an entry with an unsafe name '/etc/cron.d/evil' (an absolute"
                + " path or one containing '..'); refusing to load it"));
        cases.add(new Case("zip bomb: parameter declares 2 GB", eval(write("m11.richard", declaredSize(good,
                "params/00-W.npy", 2_000_000_000L))),
                "DIR/bad/m11.richard, entry params/00-W.npy is 2000000000 bytes uncompressed, but shape"
                + " (6, 4) of float32 needs 96 data bytes plus a header of at most 65547 bytes; refusing to"
                + " read it"));
        cases.add(new Case("zip bomb: description declares 1 GB", eval(write("m12.richard", declaredSize(good,
                "richard-model.json", 1_000_000_000L))),
                "DIR/bad/m12.richard has a richard-model.json of 1000000000 bytes; at most 16777216 are"
                + " accepted"));
        Map<String, byte[]> flipped = unzip(good);
        byte[] w = flipped.get("params/00-W.npy");
        w[w.length - 1] ^= 0x40;
        flipped.put("params/00-W.npy", w);
        byte[] corrupt = zip(flipped);
        cases.add(new Case("parameter entry missing", eval(write("m13.richard", zip(withoutEntry(unzip(good),
                "params/01-b.npy")))),
                "DIR/bad/m13.richard lacks the entry params/01-b.npy (parameter b of layer 1)"));
        cases.add(new Case("description that is not JSON", eval(editedArchive("m14.richard", model,
                "richard-model.json", t -> t.substring(0, t.indexOf("\"parameters\"") + 20))),
                "DIR/bad/m14.richard (entry richard-model.json):40:2: JSON syntax error: Unexpected"
                + " end-of-input: expected close marker for Object (opened at line 39, column 20)"));
        // ---- reference network files
        byte[] net = bytes(dir.resolve("good.net"));
        cases.add(new Case("reference file with a truncated parameter block", eval(write("n01.net",
                java.util.Arrays.copyOf(net, net.length - 10))),
                "DIR/bad/n01.net is truncated: expected 56 bytes of parameters for outputLayer (output, 2"
                + " biases and 2×6 weights) at byte 507, found 46 (the file has 553 bytes, the config"
                + " implies 563)"));
        cases.add(new Case("reference file with trailing bytes", eval(write("n02.net", concat(net, new byte[7]))),
                "DIR/bad/n02.net has 7 trailing bytes after the parameters of the last layer: the config"
                + " implies 563 bytes, the file has 570; the file is damaged or its config does not match"
                + " its parameters"));
        byte[] hugeLength = net.clone();
        ByteBuffer.wrap(hugeLength).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40);
        cases.add(new Case("reference file with an impossible config length", eval(write("n03.net", hugeLength)),
                "DIR/bad/n03.net is neither a Richard model archive (a ZIP file, starting with PK) nor a"
                + " network file of the C++ Richard: it starts with a config length of 1099511627776 bytes,"
                + " but the file has only 563 bytes"));
        cases.add(new Case("reference file with an infinite bias", eval(nonFinite("n04.net", dir.resolve("good.net"),
                1, "b", Double.POSITIVE_INFINITY)),
                "DIR/bad/n04.net: outputLayer (output) parameter b holds +infinity at [0, 1]; a model file must"
                + " hold finite numbers (a network with such a parameter computes NaN outputs)"));
        cases.add(new Case("archive with a NaN weight (predict)", new String[] {"predict",
            nonFinite("m15.richard", model, 0, "W", Double.NaN).toString(), dir.resolve("test.csv").toString()},
                "DIR/bad/m15.richard, entry params/00-W.npy: hiddenLayers[0] (dense) parameter W holds NaN at"
                + " [0, 1]; a model file must hold finite numbers (a network with such a parameter computes NaN"
                + " outputs)"));
        // ---- checkpoints and resuming
        cases.add(new Case("checkpoint with a NaN weight", train(dir.resolve("config.yaml"), "--resume",
                nonFinite("k05.checkpoint", checkpoint, 1, "W", Double.NaN).toString()),
                "DIR/bad/k05.checkpoint, entry params/01-W.npy: outputLayer (output) parameter W holds NaN at"
                + " [0, 1]; a model file must hold finite numbers (a network with such a parameter computes NaN"
                + " outputs)"));
        cases.add(new Case("resume from a plain model", train(dir.resolve("config.yaml"), "--resume", model.toString()),
                "DIR/good.richard is a model archive but not a checkpoint: it has no training-state.json"
                + " entry (checkpoints are written by richard train --checkpoint-every)"));
        cases.add(new Case("resume a missing checkpoint", train(dir.resolve("config.yaml"), "--resume",
                dir.resolve("none.checkpoint").toString()),
                "checkpoint DIR/none.checkpoint does not exist"));
        cases.add(new Case("resume with another network", csvConfig("r01.yaml", "size: 6", "size: 5", "--resume",
                checkpoint.toString()),
                "the config's network (dense [5, 1, 1], output [2, 1, 1]) differs from the checkpoint's"
                + " (dense [6, 1, 1], output [2, 1, 1]); only learning rates, their decay, dropout rates and"
                + " epochs may change when resuming"));
        cases.add(new Case("resume with another mini-batch size", csvConfig("r02.yaml", "miniBatchSize: 4",
                "miniBatchSize: 5", "--resume", checkpoint.toString()),
                "DIR/bad/r02.yaml: classifier.network.hyperparams: batchSize 1000 and miniBatchSize 5"
                + " differ from the checkpoint's 1000 and 4 (DIR/good.checkpoint); they must stay the same"
                + " to resume"));
        cases.add(new Case("resume with another seed", train(dir.resolve("config.yaml"), "--resume",
                checkpoint.toString(), "--seed", "9"),
                "--seed 9 differs from the seed 0 of the checkpoint DIR/good.checkpoint; leave --seed out"
                + " when resuming"));
        cases.add(new Case("resume with other classes", csvConfig("r03.yaml", "classes: [a, b]", "classes: [a, c]",
                "--resume", checkpoint.toString()),
                "the config's data section (classes [a, c], shape [2, 2, 1], normalization [0.0, 10.0])"
                + " differs from the checkpoint's (classes [a, b], shape [2, 2, 1], normalization [0.0,"
                + " 10.0]); a checkpoint resumes only with the same classes, shape and normalization"));
        cases.add(new Case("checkpoint with a negative epoch", train(dir.resolve("config.yaml"), "--resume",
                editedArchive("k01.checkpoint", checkpoint, "training-state.json",
                        t -> t.replace("\"epoch\" : 2", "\"epoch\" : -2")).toString()),
                "DIR/bad/k01.checkpoint training-state.json: epoch must be an integer from 0 to"
                + " 2147483647, found -2"));
        cases.add(new Case("checkpoint of a newer version", train(dir.resolve("config.yaml"), "--resume",
                editedArchive("k02.checkpoint", checkpoint, "training-state.json",
                        t -> t.replace("\"formatVersion\" : 1", "\"formatVersion\" : 3")).toString()),
                "DIR/bad/k02.checkpoint has checkpoint format version 3, written by a newer Richard; this"
                + " version reads format version 2 at most. Upgrade Richard to resume from it"));
        cases.add(new Case("checkpoint with an infinite cost", train(dir.resolve("config.yaml"), "--resume",
                editedArchive("k03.checkpoint", checkpoint, "training-state.json",
                        t -> t.replaceFirst("\"cost\" : [0-9.E-]+", "\"cost\" : 1e999")).toString()),
                "DIR/bad/k03.checkpoint training-state.json: cost must be a finite number >= 0 (the summed"
                + " cost of the epoch so far)"));
        cases.add(new Case("resume at a position the data does not reach", train(dir.resolve("config.yaml"),
                "--resume", editedArchive("k04.checkpoint", checkpoint, "training-state.json", t -> t
                        .replace("\"epoch\" : 2", "\"epoch\" : 1").replace("\"batch\" : 0", "\"batch\" : 9")
                        .replace("\"samples\" : 0", "\"samples\" : 36")).toString(), "--limit", "8"),
                "cannot resume at epoch 2 after mini-batch 9 (36 samples): that epoch has 2 mini-batches of 4 holding"
                + " 8 samples here; the data or the mini-batch size differ from the run that wrote the checkpoint"));
        cases.add(new Case("bad --checkpoint-every", train(dir.resolve("config.yaml"), "--checkpoint-every", "2x"),
                "--checkpoint-every: checkpoint interval '2x' is not valid; expected N epochs (e.g. 2 or"
                + " 2e) or N mini-batches (e.g. 500b), 1 <= N <= 999,999,999"));
        cases.add(new Case("--checkpoint-every 0", train(dir.resolve("config.yaml"), "--checkpoint-every", "0b"),
                "--checkpoint-every: checkpoint interval '0b' is not valid; expected N epochs (e.g. 2 or"
                + " 2e) or N mini-batches (e.g. 500b), 1 <= N <= 999,999,999"));
        return cases;
    }

    private static Map<String, byte[]> withoutEntry(Map<String, byte[]> entries, String name) {
        entries.remove(name);
        return entries;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static String[] idxTrain(Path images) {
        return train(write("idx.yaml", Fixtures.IDX_CONFIG.replace("training:\n  data: mnist\n  test: mnist\n", "")), "--data",
                images.toString());
    }

    private static String[] imagesTrain(Path folder) {
        return train(write("img.yaml", Fixtures.IMAGE_CONFIG.replace("training:\n  data: images/train\n  test: images/test\n", "")),
                "--data", folder.toString());
    }

    private static Path copyImages(String name) {
        Path target = dir.resolve("bad").resolve(name);
        Path source = dir.resolve("img/images/train");
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : files.toList()) {
                Path copy = target.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(file, copy);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    private static void deleteFiles(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteDir(Path folder) {
        try {
            Files.delete(folder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writePng(Path file, int w, int h) {
        try {
            Fixtures.writePng(file, w, h, 170, new Random(1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every file under the folder: its SHA-256, size and modification time. */
    private static Map<String, String> snapshot() {
        Map<String, String> state = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                byte[] content = Files.readAllBytes(file);
                state.put(dir.relativize(file).toString(), HexFormat.of().formatHex(
                        MessageDigest.getInstance("SHA-256").digest(content)) + " " + content.length + " "
                        + Files.getLastModifiedTime(file).toMillis());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return state;
    }

    @TestFactory
    Stream<DynamicTest> everyBadInputGivesOneClearLineAndStatusTwoAndTouchesNothing() {
        List<Case> cases = cases();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.setLastModifiedTime(file, FileTime.fromMillis(1_500_000_000_000L));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    private static void check(Case c) {
        COUNT[0]++;
        Map<String, String> before = snapshot();
        Fixtures.Result result = Fixtures.run(c.args());
        String[] lines = result.err().split("\n");
        String error = lines[lines.length - 1];
        String message = error.startsWith("richard: error: ") ? error.substring("richard: error: ".length()) : error;
        String shown = message.replace(dir.toString(), "DIR");
        if (c.expected() == null) {
            FAILURES.add(c.name());
            System.out.println("CASE " + c.name() + " | status " + result.status() + " | " + shown
                    + (result.err().contains("\tat ") ? " | STACK TRACE" : ""));
        }
        assertEquals(2, result.status(), result::toString);
        assertTrue(error.startsWith("richard: error: "), result::toString);
        assertEquals(1, result.err().lines().filter(l -> l.startsWith("richard: error:")).count(), result::toString);
        assertFalse(result.err().contains("\tat "), "no stack trace:\n" + result);
        if (c.expected() != null && c.expected().startsWith("re:")) {
            assertTrue(shown.matches(c.expected().substring(3)), shown);
        } else {
            assertEquals(c.expected(), shown, result::toString);
        }
        assertEquals(before, snapshot(), "no file was created, changed or touched");
    }

    @Test
    void theTableHasAtLeastFortyRows() {
        assertTrue(cases().size() >= 40, "rows: " + cases().size());
    }
}
