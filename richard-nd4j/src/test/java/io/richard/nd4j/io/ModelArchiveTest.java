package io.richard.nd4j.io;

import static io.richard.nd4j.io.IoFixtures.unzip;
import static io.richard.nd4j.io.IoFixtures.zip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.richard.api.Layer;
import io.richard.api.ModelFormatException;
import io.richard.api.Mode;
import io.richard.api.Parameter;
import io.richard.api.Shape;
import io.richard.api.spec.LayerSpec;
import io.richard.api.spec.ModelSpec;
import io.richard.api.spec.NetworkSpec;
import io.richard.api.spec.OutputLayerSpec;
import io.richard.api.spec.OptimizerSpec;
import io.richard.nd4j.Network;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ModelArchiveTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void denseNetworkRoundTripsBitForBit() {
        Network network = Network.create(IoFixtures.denseModel(), 3);
        Path file = dir.resolve("dense.richard");
        ModelArchive.save(file, network, Map.of("epochs", "7", "seed", "3"));

        SavedModel loaded = ModelArchive.load(file);

        assertEquals(1, loaded.formatVersion());
        assertEquals("7", loaded.metadata().get("epochs"));
        assertEquals("3", loaded.metadata().get("seed"));
        assertTrue(loaded.metadata().containsKey("created"));
        IoFixtures.assertSameNetwork(network, loaded.network(),
                IoFixtures.input(network.model(), 9, DataType.FLOAT, 1));
    }

    @Test
    void convolutionalNetworkRoundTripsBitForBit() {
        Network network = Network.create(IoFixtures.convModel(), 11);
        Path file = dir.resolve("conv.richard");
        ModelArchive.save(file, network, Map.of());

        Network loaded = ModelArchive.load(file).network();

        IoFixtures.assertSameNetwork(network, loaded, IoFixtures.input(network.model(), 6, DataType.FLOAT, 2));
    }

    /** The output activation, cost and optimiser are part of the description: they round-trip with the parameters. */
    @Test
    void aSoftmaxCrossEntropyAdamNetworkRoundTrips() {
        ModelSpec conv = IoFixtures.convModel();
        ModelSpec model = conv.withNetwork(NetworkSpec.builder().hyperparams(conv.network().hyperparams())
                .optimizer(new OptimizerSpec.Adam(0.9, 0.999, 1e-7, 0.01)).convolutional(3, 3, 2, 0.05)
                .maxPooling(2, 2).dense(5, 0.1).output(new OutputLayerSpec(2, 0.1, "softmax", "crossEntropy")));
        Network network = Network.create(model, 12);
        Path file = dir.resolve("softmax.richard");
        ModelArchive.save(file, network, Map.of());
        Network loaded = ModelArchive.load(file).network();
        assertEquals(model, loaded.model());
        assertEquals("crossEntropy", loaded.loss().name());
        IoFixtures.assertSameNetwork(network, loaded, IoFixtures.input(model, 6, DataType.FLOAT, 2));
        INDArray sums = loaded.output(IoFixtures.input(model, 6, DataType.FLOAT, 3)).sum(1);
        for (int n = 0; n < 6; n++) {
            assertEquals(1, sums.getDouble(n), 1e-6, "softmax outputs sum to 1");
        }
    }

    @Test
    void float64NetworkRoundTripsAsFloat64() throws IOException {
        Network network = Network.create(IoFixtures.convModel(), 4, DataType.DOUBLE);
        Path file = dir.resolve("double.richard");
        ModelArchive.save(file, network, null);

        Network loaded = ModelArchive.load(file).network();

        assertEquals(DataType.DOUBLE, loaded.dataType());
        IoFixtures.assertSameNetwork(network, loaded, IoFixtures.input(network.model(), 4, DataType.DOUBLE, 3));
        JsonNode description = description(Files.readAllBytes(file));
        description.get("parameters").forEach(p -> assertEquals("float64", p.get("dtype").asText()));
    }

    @Test
    void archiveLayoutIsTheDocumentedOne() throws IOException {
        Network network = Network.create(IoFixtures.convModel(), 1);
        Path file = dir.resolve("layout.richard");
        ModelArchive.save(file, network, Map.of("finalCost", "0.25"));
        byte[] bytes = Files.readAllBytes(file);
        assertTrue(ModelArchive.isArchive(file));

        Map<String, byte[]> entries = unzip(bytes);
        assertEquals(List.of("richard-model.json", "params/00-W.npy", "params/00-b.npy", "params/02-W.npy",
                "params/02-b.npy", "params/03-W.npy", "params/03-b.npy"), new ArrayList<>(entries.keySet()));

        JsonNode description = description(bytes);
        assertEquals("richard-model", description.get("format").asText());
        assertEquals(1, description.get("formatVersion").asInt());
        assertEquals("0.25", description.get("metadata").get("finalCost").asText());
        JsonNode first = description.get("parameters").get(0);
        assertEquals(0, first.get("layer").asInt());
        assertEquals("W", first.get("name").asText());
        assertEquals("params/00-W.npy", first.get("entry").asText());
        assertEquals("[3,2,2,3]", first.get("shape").toString());
        assertEquals("float32", first.get("dtype").asText());
        JsonNode network0 = description.get("model").get("classifier").get("network");
        assertEquals("convolutional", network0.get("hiddenLayers").get(0).get("type").asText());
        assertEquals("output", network0.get("outputLayer").get("type").asText());
        assertEquals(network.model(), JSON.treeToValue(description.get("model"), ModelSpec.class));

        // The entry holds the conv kernels (D, C, kH, kW) as a plain .npy file.
        INDArray kernels = Npy.read(new java.io.ByteArrayInputStream(entries.get("params/00-W.npy")), "W");
        IoFixtures.assertBitIdentical(network.layers().get(0).parameters().get(0).value(), kernels);
    }

    @Test
    void missingFileAndForeignFilesAreNamed() throws IOException {
        Path missing = dir.resolve("nothing-here.richard");
        assertMessage(missing, "model file " + missing + " does not exist");

        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "hello");
        assertMessage(text, text + " is not a Richard model archive (expected a ZIP file starting with PK…, found"
                + " bytes 68 65 6c 6c)");
        assertFalse(ModelArchive.isArchive(text));

        assertMessage(dir, dir + " is a directory, not a model file");
    }

    @Test
    void truncatedArchivesAreRejectedAtEveryLength() throws IOException {
        byte[] good = saved(Network.create(IoFixtures.denseModel(), 1));
        int[] lengths = {0, 2, 4, 30, good.length / 3, good.length / 2, good.length - 23, good.length - 1};
        for (int length : lengths) {
            Path file = write("truncated-" + length + ".richard", Arrays.copyOf(good, length));
            String message = loadFailure(file);
            assertTrue(message.startsWith(file.toString()), message);
            String expected = length < 4 ? "is not a Richard model archive" : "is damaged or truncated";
            assertTrue(message.contains(expected), () -> length + " bytes: " + message);
        }
    }

    @Test
    void flippedBytesNeverLoadAsADifferentNetwork() throws IOException {
        Network network = Network.create(IoFixtures.denseModel(), 1);
        byte[] good = saved(network);
        INDArray input = IoFixtures.input(network.model(), 3, DataType.FLOAT, 4);
        int detected = 0;
        int tried = 0;
        for (int offset = 0; offset < good.length; offset += 5) {
            byte[] bad = good.clone();
            bad[offset] ^= 0x5a;
            Path file = write("flipped.richard", bad);
            tried++;
            try {
                IoFixtures.assertSameNetwork(network, ModelArchive.load(file).network(), input);
            } catch (ModelFormatException e) {
                assertTrue(e.getMessage().startsWith(file.toString()) || e.getMessage().contains(file.toString()),
                        e.getMessage());
                detected++;
            }
        }
        assertTrue(detected > tried / 2, "only " + detected + " of " + tried + " flips were detected");
    }

    @Test
    void flippedParameterByteFailsTheChecksum() throws IOException {
        Network network = Network.create(IoFixtures.denseModel(), 1);
        Map<String, byte[]> entries = unzip(saved(network));
        byte[] bytes = zip(entries, true);
        int data = IoFixtures.indexOf(bytes, entries.get("params/01-W.npy"), 0) + 128 + 5;
        bytes[data] ^= 1;
        Path file = write("crc.richard", bytes);
        assertMessage(file, file + " has a corrupt entry params/01-W.npy: its CRC-32 is");
    }

    @Test
    void newerFormatVersionAndForeignFormatAreRejected() throws IOException {
        byte[] good = saved(Network.create(IoFixtures.denseModel(), 1));

        Path newer = withDescription(good, "newer.richard", d -> d.put("formatVersion", 2));
        assertMessage(newer, newer + " has model archive format version 2, written by a newer Richard; this version"
                + " reads format version 1 at most");

        Path foreign = withDescription(good, "foreign.richard", d -> d.put("format", "keras"));
        assertMessage(foreign, foreign + " is not a Richard model archive: richard-model.json has format 'keras',"
                + " expected 'richard-model'");

        Path noVersion = withDescription(good, "noversion.richard", d -> {
            d.remove("formatVersion");
            return d;
        });
        assertMessage(noVersion, "richard-model.json has no integer formatVersion");
    }

    @Test
    void invalidDescriptionsAreReportedWithTheConfigMessage() throws IOException {
        byte[] good = saved(Network.create(IoFixtures.denseModel(), 1));

        Path badSize = withDescription(good, "badsize.richard", d -> {
            outputLayer(d).put("size", 0);
            return d;
        });
        // located as a config file's messages are (DescriptionReader): SOURCE:LINE:COLUMN: path: what is wrong
        assertMessage(badSize, badSize + " (entry richard-model.json):");
        assertMessage(badSize, ": model.classifier.network.outputLayer.size: output layer: size must be a positive"
                + " integer, got 0");

        Path wrongClasses = withDescription(good, "classes.richard", d -> {
            outputLayer(d).put("size", 4);
            return d;
        });
        assertMessage(wrongClasses, "model.classifier.network.outputLayer.size: size is 4 but there are 3 classes");

        Path missingKey = withDescription(good, "missing.richard", d -> {
            ((ObjectNode) d.get("model")).remove("dataLoader");
            return d;
        });
        assertMessage(missingKey, missingKey + " (entry richard-model.json):");
        assertMessage(missingKey, ": model: missing required key 'dataLoader'; expected a mapping with fetchSize");

        Map<String, byte[]> entries = unzip(good);
        entries.put("richard-model.json", "{\"format\": ".getBytes(StandardCharsets.UTF_8));
        Path notJson = write("notjson.richard", zip(entries, false));
        assertMessage(notJson, notJson + " (entry richard-model.json):1:12: JSON syntax error:");

        entries.remove("richard-model.json");
        Path noJson = write("nojson.richard", zip(entries, false));
        assertMessage(noJson, noJson + " has no richard-model.json entry; it is a ZIP file but not a Richard model"
                + " archive");
    }

    @Test
    void missingAndExtraParametersAreRejected() throws IOException {
        byte[] good = saved(Network.create(IoFixtures.denseModel(), 1));

        Map<String, byte[]> entries = unzip(good);
        entries.remove("params/01-b.npy");
        Path missingEntry = write("missing-entry.richard", zip(entries, false));
        assertMessage(missingEntry, missingEntry + " lacks the entry params/01-b.npy (parameter b of layer 1)");

        Path unlisted = withDescription(good, "unlisted.richard", d -> {
            ((ArrayNode) d.get("parameters")).remove(1);
            return d;
        });
        assertMessage(unlisted, "richard-model.json does not list hiddenLayers[0] (dense) parameter b (layer 0,"
                + " shape (1, 5))");

        Map<String, byte[]> extraEntry = unzip(good);
        extraEntry.put("params/07-W.npy", Npy.toBytes(Nd4j.ones(DataType.FLOAT, 2, 2)));
        Path extraFile = write("extra-entry.richard", zip(extraEntry, false));
        assertMessage(extraFile, extraFile + " holds an unexpected parameter entry params/07-W.npy that"
                + " richard-model.json does not list");

        Path extraListed = withDescription(good, "extra-listed.richard", d -> {
            ((ArrayNode) d.get("parameters")).addObject().put("layer", 9).put("name", "W")
                    .put("entry", "params/09-W.npy").put("dtype", "float32").putArray("shape").add(1).add(1);
            return d;
        });
        assertMessage(extraListed, "richard-model.json lists unexpected parameters that the model description does"
                + " not have: layer 9 'W' (params/09-W.npy)");
    }

    @Test
    void shapesThatDisagreeWithTheDescriptionAreNamed() throws IOException {
        byte[] good = saved(Network.create(IoFixtures.denseModel(), 1));

        Path listedShape = withDescription(good, "listed-shape.richard", d -> {
            ArrayNode shape = (ArrayNode) d.get("parameters").get(2).get("shape");
            shape.removeAll().add(5).add(4);
            return d;
        });
        assertMessage(listedShape, "richard-model.json gives hiddenLayers[1] (dense) parameter W the shape (5, 4),"
                + " but the model description implies (4, 5)");

        Map<String, byte[]> entries = unzip(good);
        entries.put("params/01-W.npy", Npy.toBytes(Nd4j.zeros(DataType.FLOAT, 5, 4)));
        Path npyShape = write("npy-shape.richard", zip(entries, false));
        assertMessage(npyShape, npyShape + ", entry params/01-W.npy: hiddenLayers[1] (dense) parameter W has shape"
                + " (5, 4) in the file, but the model description implies (4, 5)");

        entries.put("params/01-W.npy", Npy.toBytes(Nd4j.zeros(DataType.DOUBLE, 4, 5)));
        Path npyType = write("npy-type.richard", zip(entries, false));
        assertMessage(npyType, npyType + ", entry params/01-W.npy: the array is float64 but richard-model.json says"
                + " float32");
    }

    @Test
    void damagedNpyEntriesAreNamed() throws IOException {
        Map<String, byte[]> entries = unzip(saved(Network.create(IoFixtures.denseModel(), 1)));
        byte[] w = entries.get("params/00-W.npy");

        byte[] badMagic = w.clone();
        badMagic[0] = 'X';
        entries.put("params/00-W.npy", badMagic);
        Path magic = write("magic.richard", zip(entries, false));
        assertMessage(magic, magic + ", entry params/00-W.npy: not a NumPy .npy array");

        entries.put("params/00-W.npy", Arrays.copyOf(w, w.length - 8));
        Path truncated = write("truncated-npy.richard", zip(entries, false));
        assertMessage(truncated, truncated + ", entry params/00-W.npy: .npy data is truncated: shape (5, 12) of"
                + " float32 needs 240 bytes, found 232");

        byte[] badDtype = w.clone();
        int descr = IoFixtures.indexOf(badDtype, "<f4".getBytes(StandardCharsets.US_ASCII), 0);
        badDtype[descr + 1] = 'i';
        entries.put("params/00-W.npy", badDtype);
        Path dtype = write("dtype.richard", zip(entries, false));
        assertMessage(dtype, dtype + ", entry params/00-W.npy: unsupported .npy data type '<i4'");
    }

    @Test
    void unsafeEntryNamesAreRejected() throws IOException {
        byte[] good = saved(Network.create(IoFixtures.denseModel(), 1));
        for (String name : new String[] {"../evil", "params/../../evil.npy", "/etc/evil"}) {
            Map<String, byte[]> entries = unzip(good);
            entries.put(name, "x".getBytes(StandardCharsets.US_ASCII));
            Path file = write("slip.richard", zip(entries, false));
            assertMessage(file, file + " holds an entry with an unsafe name '" + name + "' (an absolute path or one"
                    + " containing '..'); refusing to load it");
        }

        Path listed = withDescription(good, "listed-slip.richard", d -> {
            ((ObjectNode) d.get("parameters").get(0)).put("entry", "../params/00-W.npy");
            return d;
        });
        assertMessage(listed, "unsafe name '../params/00-W.npy'");
    }

    @Test
    void oversizedEntriesAreNotRead() throws IOException {
        Map<String, byte[]> entries = unzip(saved(Network.create(IoFixtures.denseModel(), 1)));
        byte[] w = entries.get("params/00-W.npy");
        entries.put("params/00-W.npy", Arrays.copyOf(w, 8 << 20));   // 8 MiB, mostly zeros: compresses to ~8 KiB
        byte[] bomb = zip(entries, false);
        assertTrue(bomb.length < 100_000, "the test archive is small: " + bomb.length);
        Path file = write("bomb.richard", bomb);
        assertMessage(file, file + ", entry params/00-W.npy is 8388608 bytes uncompressed, but shape (5, 12) of"
                + " float32 needs 240 data bytes plus a header of at most 65547 bytes; refusing to read it");
    }

    @Test
    void entriesLyingAboutTheirSizeAreReadOnlyAsFarAsTheirShapeNeeds() throws IOException {
        Map<String, byte[]> entries = unzip(saved(Network.create(IoFixtures.denseModel(), 1)));
        byte[] w = entries.get("params/00-W.npy");
        entries.put("params/00-W.npy", Arrays.copyOf(w, 4 << 20));
        byte[] bytes = zip(entries, false);
        // Make the central directory claim the entry has its honest size.
        byte[] name = "params/00-W.npy".getBytes(StandardCharsets.US_ASCII);
        int central = IoFixtures.indexOf(bytes, new byte[] {'P', 'K', 1, 2}, 0);
        while (IoFixtures.indexOf(bytes, name, central) != central + 46) {
            central = IoFixtures.indexOf(bytes, new byte[] {'P', 'K', 1, 2}, central + 4);
        }
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(central + 24, w.length);
        Path file = write("liar.richard", bytes);
        assertMessage(file, file + ", entry params/00-W.npy has more bytes than its shape (5, 12) of float32 needs"
                + " 240 data bytes");
    }

    @Test
    void failedSaveLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Network good = Network.create(IoFixtures.denseModel(), 1);
        Path file = dir.resolve("model.richard");
        ModelArchive.save(file, good, Map.of("version", "old"));
        byte[] before = Files.readAllBytes(file);

        List<Layer> layers = new ArrayList<>(good.layers());
        layers.set(layers.size() - 1, new FailingLayer(layers.get(layers.size() - 1)));
        Network broken = Network.of(good.model(), layers);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ModelArchive.save(file, broken, Map.of("version", "new")));
        assertEquals("parameters unavailable", e.getMessage());

        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals("old", ModelArchive.load(file).metadata().get("version"));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void saveIntoAMissingDirectoryFailsWithTheFileName() throws IOException {
        Path file = dir.resolve("no-such-dir").resolve("model.richard");
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> ModelArchive.save(file, Network.create(IoFixtures.denseModel(), 1), Map.of()));
        assertTrue(e.getMessage().startsWith("cannot write model archive " + file), e.getMessage());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.toList());
        }
    }

    @Test
    void saveReplacesAnExistingFile() {
        Path file = dir.resolve("model.richard");
        ModelArchive.save(file, Network.create(IoFixtures.denseModel(), 1), Map.of("run", "1"));
        ModelArchive.save(file, Network.create(IoFixtures.denseModel(), 2), Map.of("run", "2"));
        assertEquals("2", ModelArchive.load(file).metadata().get("run"));
    }

    // ---------------------------------------------------------------------------------------------------------

    private byte[] saved(Network network) throws IOException {
        Path file = dir.resolve("source-" + System.nanoTime() + ".richard");
        ModelArchive.save(file, network, Map.of());
        byte[] bytes = Files.readAllBytes(file);
        Files.delete(file);
        return bytes;
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    private static JsonNode description(byte[] archive) throws IOException {
        return JSON.readTree(unzip(archive).get("richard-model.json"));
    }

    private static ObjectNode outputLayer(ObjectNode description) {
        return (ObjectNode) description.get("model").get("classifier").get("network").get("outputLayer");
    }

    /** A copy of the archive with its description changed. */
    private Path withDescription(byte[] archive, String name, UnaryOperator<ObjectNode> change) throws IOException {
        Map<String, byte[]> entries = unzip(archive);
        ObjectNode description = (ObjectNode) JSON.readTree(entries.get("richard-model.json"));
        entries.put("richard-model.json", JSON.writeValueAsBytes(change.apply(description)));
        return write(name, zip(entries, false));
    }

    private static String loadFailure(Path file) {
        try {
            ModelArchive.load(file);
        } catch (ModelFormatException e) {
            return e.getMessage();
        }
        return fail("loading " + file + " should have failed");
    }

    private static void assertMessage(Path file, String expected) {
        String message = loadFailure(file);
        assertTrue(message.contains(expected), () -> "expected a message containing\n  " + expected + "\nbut was\n  "
                + message);
    }

    /** A layer whose parameters cannot be read, to make a save fail half-way. */
    private record FailingLayer(Layer delegate) implements Layer {
        @Override
        public LayerSpec spec() {
            return delegate.spec();
        }

        @Override
        public Shape inputShape() {
            return delegate.inputShape();
        }

        @Override
        public Shape outputShape() {
            return delegate.outputShape();
        }

        @Override
        public INDArray forward(INDArray input, Mode mode) {
            return delegate.forward(input, mode);
        }

        @Override
        public INDArray backward(INDArray gradOutput, boolean inputGradient) {
            return delegate.backward(gradOutput, inputGradient);
        }

        @Override
        public List<Parameter> parameters() {
            throw new IllegalStateException("parameters unavailable");
        }
    }
}
