package io.richard.nd4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import io.richard.api.ModelFormatException;
import io.richard.api.Shape;
import io.richard.api.spec.ConvolutionalLayerSpec;
import io.richard.api.spec.DenseLayerSpec;
import io.richard.api.spec.ModelSpec;
import io.richard.api.spec.NetworkSpec;
import io.richard.api.spec.OutputLayerSpec;
import io.richard.nd4j.Network;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ReferenceNetworkFileTest {

    /**
     * A 3-4-5-2 dense network as the reference writes its config: compact, sorted, with a GPU section, and an
     * output layer without {@code type} (the reference forces it to "output" and does not write it).
     */
    private static final String DENSE_CONFIG = "{\"classifier\":{\"network\":{\"gpu\":{\"maxWorkgroupSize\":64},"
            + "\"hiddenLayers\":[{\"dropoutRate\":0.0,\"learnRate\":0.5,\"learnRateDecay\":1.0,\"size\":4,"
            + "\"type\":\"dense\"},{\"dropoutRate\":0.1,\"learnRate\":0.25,\"learnRateDecay\":0.9,\"size\":5,"
            + "\"type\":\"dense\"}],\"hyperparams\":{\"batchSize\":1000,\"epochs\":3,\"miniBatchSize\":16},"
            + "\"outputLayer\":{\"learnRate\":0.5,\"learnRateDecay\":1.0,\"size\":2}}},"
            + "\"data\":{\"classes\":[\"no\",\"yes\"],\"normalization\":{\"max\":255.0,\"min\":0.0},"
            + "\"shape\":[3,1,1]},\"dataLoader\":{\"fetchSize\":500}}";

    /** Input [5, 4, 2] → conv 2 filters of kW 3 × kH 2 → [3, 3, 2] → max pool 3×1 → [1, 3, 2] → output 2. */
    private static final String CONV_CONFIG = "{\"classifier\":{\"network\":{\"hiddenLayers\":[{\"depth\":2,"
            + "\"dropoutRate\":0.0,\"kernelSize\":[3,2],\"learnRate\":0.1,\"learnRateDecay\":1.0,"
            + "\"type\":\"convolutional\"},{\"regionSize\":[3,1],\"type\":\"maxPooling\"}],\"hyperparams\":"
            + "{\"batchSize\":100,\"epochs\":1,\"miniBatchSize\":4},\"outputLayer\":{\"learnRate\":0.1,"
            + "\"learnRateDecay\":1.0,\"size\":2}}},\"data\":{\"classes\":[\"a\",\"b\"],"
            + "\"normalization\":{\"max\":1.0,\"min\":0.0},\"shape\":[5,4,2]},\"dataLoader\":{\"fetchSize\":64},"
            + "\"unknownTopLevelKey\":true}";

    @TempDir
    Path dir;

    /** The start of a network file the C++ program wrote (dense MNIST network after one epoch), quoted in issue 13. */
    private static final String CPP_MNIST_CONFIG = "{\"classifier\":{\"network\":{\"hiddenLayers\":[{\"dropoutRate\":0.0,"
            + "\"learnRate\":0.1,\"learnRateDecay\":1.0,\"size\":320,\"type\":\"dense\"},{\"dropoutRate\":0.0,"
            + "\"learnRate\":0.1,\"learnRateDecay\":1.0,\"size\":64,\"type\":\"dense\"}],\"hyperparams\":"
            + "{\"batchSize\":60000,\"epochs\":1,\"miniBatchSize\":32},\"outputLayer\":{\"learnRate\":0.1,"
            + "\"learnRateDecay\":1.0,\"size\":10}}},\"data\":{\"classes\":[\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\","
            + "\"8\",\"9\"],\"normalization\":{\"max\":255,\"min\":0},\"shape\":[784,1,1]},\"dataLoader\":"
            + "{\"fetchSize\":512}}";

    @Test
    void theCppProgramsMnistFileLoads() throws IOException {
        int count = 320 + 320 * 784 + 64 + 64 * 320 + 10 + 10 * 64;
        float[] floats = new float[count];
        for (int k = 0; k < count; k++) {
            floats[k] = ((k * 37) % 101 - 50) * 0.001f;
        }
        Path file = write("mnist.net", referenceFile(CPP_MNIST_CONFIG, floats));

        Network network = ReferenceNetworkFile.load(file);

        assertEquals(new OutputLayerSpec(10, 0.1), network.model().network().outputLayer());
        assertEquals(List.of(new DenseLayerSpec(320, 0.1), new DenseLayerSpec(64, 0.1)),
                network.model().network().hiddenLayers());
        assertEquals(new Shape(784, 1, 1), network.model().inputShape());
        assertEquals(60000, network.model().network().hyperparams().batchSize());
        INDArray outputW = network.layers().get(2).parameters().get(0).value();
        int outputStart = 320 + 320 * 784 + 64 + 64 * 320;
        assertEquals(floats[outputStart + 10 + 9 * 64 + 63], outputW.getFloat(9, 63));
        assertEquals(floats[outputStart + 9], network.layers().get(2).parameters().get(1).value().getFloat(0, 9));
        assertEquals(count, network.parameterCount());
    }

    @Test
    void keysTheCppProgramKeepsAreIgnoredAndAnOutputTypeOtherThanOutputIsNot() throws IOException {
        // keys in the C++ layout (sorted) that a user's config may have held: the C++ program keeps them all
        String kept = DENSE_CONFIG.replace("[{\"dropoutRate\":0.0,", "[{\"activation\":\"sigmoid\",\"dropoutRate\":0.0,")
                .replace("\"epochs\":3,", "\"epochs\":3,\"maxBatchSize\":7,")
                .replace("\"dataLoader\":{\"fetchSize\":500}}", "\"dataLoader\":{\"fetchSize\":500},\"training\":"
                        + "{\"data\":\"train.csv\",\"seed\":3}}");
        assertTrue(kept.contains("activation") && kept.contains("maxBatchSize") && kept.contains("training"), kept);
        Network network = ReferenceNetworkFile.load(write("kept.net", referenceFile(kept, new float[53])));
        assertEquals(new DenseLayerSpec(4, 0.5), network.model().network().hiddenLayers().get(0));

        Path dense = write("dense-output.net", referenceFile(DENSE_CONFIG.replace("\"size\":2}", "\"size\":2,"
                + "\"type\":\"dense\"}"), new float[53]));
        assertMessage(dense, dense + " (network file config):1:");
        assertMessage(dense, ": classifier.network.outputLayer.type: the output layer's type is 'dense'; it must be"
                + " 'output' (or leave the key out)");
    }

    @Test
    void handBuiltDenseFileLoadsEveryValueInItsPlace() throws IOException {
        float[] floats = new float[53];
        for (int k = 0; k < floats.length; k++) {
            floats[k] = k + 0.25f;
        }
        Path file = write("dense.net", referenceFile(DENSE_CONFIG, floats));
        assertEquals(8 + DENSE_CONFIG.length() + 212, Files.size(file));

        Network network = ReferenceNetworkFile.load(file);

        assertEquals(DataType.FLOAT, network.dataType());
        assertEquals(List.of("no", "yes"), network.model().classes());
        assertEquals(new DenseLayerSpec(5, 0.25, 0.9, 0.1), network.model().network().hiddenLayers().get(1));
        assertEquals(new OutputLayerSpec(2, 0.5), network.model().network().outputLayer());
        int[][] layerSizes = {{4, 3}, {5, 4}, {2, 5}};
        int offset = 0;
        for (int l = 0; l < 3; l++) {
            int size = layerSizes[l][0];
            int inputs = layerSizes[l][1];
            INDArray W = network.layers().get(l).parameters().get(0).value();
            INDArray b = network.layers().get(l).parameters().get(1).value();
            assertArrayEquals(new long[] {size, inputs}, W.shape());
            assertArrayEquals(new long[] {1, size}, b.shape());
            for (int n = 0; n < size; n++) {
                assertEquals(floats[offset + n], b.getFloat(0, n), "layer " + l + " bias " + n);
                for (int i = 0; i < inputs; i++) {
                    assertEquals(floats[offset + size + n * inputs + i], W.getFloat(n, i),
                            "layer " + l + " weight (" + n + ", " + i + ")");
                }
            }
            offset += size + size * inputs;
        }
        assertEquals(53, offset);
    }

    @Test
    void handBuiltConvolutionalFileLoadsAndComputesWhatTheReferenceComputes() throws IOException {
        float[] floats = new float[2 * 13 + 2 + 2 * 6];
        for (int k = 0; k < floats.length; k++) {
            floats[k] = ((k * 7) % 11 - 4) * 0.0625f;
        }
        Path file = write("conv.net", referenceFile(CONV_CONFIG, floats));

        Network network = ReferenceNetworkFile.load(file);

        assertEquals(new ConvolutionalLayerSpec(2, 3, 2, 0.1), network.model().network().hiddenLayers().get(0));
        assertEquals(new Shape(5, 4, 2), network.model().inputShape());
        INDArray K = network.layers().get(0).parameters().get(0).value();
        INDArray bK = network.layers().get(0).parameters().get(1).value();
        assertArrayEquals(new long[] {2, 2, 2, 3}, K.shape());
        for (int d = 0; d < 2; d++) {
            assertEquals(floats[d * 13], bK.getFloat(0, d), "bias of filter " + d);
            for (int z = 0; z < 2; z++) {
                for (int y = 0; y < 2; y++) {
                    for (int x = 0; x < 3; x++) {
                        assertEquals(floats[d * 13 + 1 + z * 6 + y * 3 + x], K.getFloat(d, z, y, x),
                                "kernel " + d + " (x " + x + ", y " + y + ", z " + z + ")");
                    }
                }
            }
        }
        assertEquals(floats[26], network.layers().get(2).parameters().get(1).value().getFloat(0, 0));
        assertEquals(floats[28 + 6 + 5], network.layers().get(2).parameters().get(0).value().getFloat(1, 5));

        float[] input = new float[5 * 4 * 2];
        for (int k = 0; k < input.length; k++) {
            input[k] = ((k * 5) % 9) * 0.125f;
        }
        INDArray output = network.output(Nd4j.create(input, new long[] {1, input.length}, 'c'));
        double[] expected = referenceForward(floats, input);
        assertEquals(expected[0], output.getDouble(0, 0), 1e-6);
        assertEquals(expected[1], output.getDouble(0, 1), 1e-6);
    }

    /** The reference's conv → ReLU → max pool → flatten → sigmoid output, written out with its own indices. */
    private static double[] referenceForward(float[] p, float[] in) {
        int width = 5;
        int height = 4;
        double[] pooled = new double[2 * 3];                    // [1, 3, 2], index d·W'·H' + y·W' + x
        for (int d = 0; d < 2; d++) {
            double[][] a = new double[3][3];                    // a[y][x]
            for (int y = 0; y < 3; y++) {
                for (int x = 0; x < 3; x++) {
                    double z = p[d * 13];
                    for (int k = 0; k < 2; k++) {
                        for (int j = 0; j < 2; j++) {
                            for (int i = 0; i < 3; i++) {
                                z += in[k * width * height + (y + j) * width + (x + i)] * p[d * 13 + 1 + k * 6 + j * 3 + i];
                            }
                        }
                    }
                    a[y][x] = Math.max(0, z);
                }
            }
            for (int y = 0; y < 3; y++) {
                pooled[d * 3 + y] = Math.max(a[y][0], Math.max(a[y][1], a[y][2]));
            }
        }
        double[] out = new double[2];
        for (int n = 0; n < 2; n++) {
            double z = p[26 + n];
            for (int i = 0; i < 6; i++) {
                z += p[28 + n * 6 + i] * pooled[i];
            }
            out[n] = 1 / (1 + Math.exp(-z));
        }
        return out;
    }

    @Test
    void saveThenLoadIsBitIdentical() {
        for (Network network : List.of(Network.create(IoFixtures.denseModel(), 5),
                Network.create(IoFixtures.convModel(), 6))) {
            Path file = dir.resolve("round-trip.net");
            ReferenceNetworkFile.save(file, network);
            Network loaded = ReferenceNetworkFile.load(file);
            IoFixtures.assertSameNetwork(network, loaded, IoFixtures.input(network.model(), 5, DataType.FLOAT, 8));
        }
    }

    /**
     * A softmax output cannot be written in the C++ program's format (it applies the sigmoid there): refused, nothing
     * written. A cross-entropy cost or another optimiser only shape training: written, and read back as they were.
     */
    @Test
    void aSoftmaxNetworkIsRefusedAndTrainingSettingsAreKept() throws IOException {
        ModelSpec dense = IoFixtures.denseModel();
        ModelSpec softmax = dense.withNetwork(NetworkSpec.builder().hyperparams(dense.network().hyperparams())
                .dense(5, 0.1).dense(4, 0.2).output(new OutputLayerSpec(3, 0.3, "softmax", "crossEntropy")));
        Path file = dir.resolve("softmax.net");
        Files.writeString(file, "old");
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> ReferenceNetworkFile.save(file, Network.create(softmax, 1)));
        assertEquals("cannot write " + file + " as a network file of the C++ Richard: its output layer applies the"
                + " softmax, which that program does not have (its output layers apply the sigmoid); save it as a"
                + " model archive instead", e.getMessage());
        assertEquals("old", Files.readString(file), "nothing written");

        ModelSpec trained = dense.withNetwork(NetworkSpec.builder().hyperparams(dense.network().hyperparams())
                .optimizer(new io.richard.api.spec.OptimizerSpec.Adam()).dense(5, 0.1).dense(4, 0.2)
                .output(new OutputLayerSpec(3, 0.3, "sigmoid", "crossEntropy")));
        Network network = Network.create(trained, 2);
        ReferenceNetworkFile.save(file, network);
        Network loaded = ReferenceNetworkFile.load(file);
        assertEquals(trained, loaded.model());
        IoFixtures.assertSameNetwork(network, loaded, IoFixtures.input(trained, 4, DataType.FLOAT, 3));
    }

    @Test
    void savedFileHasTheReferenceLayout() throws IOException {
        float[] floats = new float[53];
        for (int k = 0; k < floats.length; k++) {
            floats[k] = k - 20.5f;
        }
        Network network = ReferenceNetworkFile.load(write("dense.net", referenceFile(DENSE_CONFIG, floats)));
        Path copy = dir.resolve("copy.net");
        ReferenceNetworkFile.save(copy, network);
        byte[] bytes = Files.readAllBytes(copy);

        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int length = (int) buffer.getLong();
        String config = new String(bytes, 8, length, StandardCharsets.UTF_8);
        assertTrue(config.startsWith("{\"classifier\":{\"network\":{\"hiddenLayers\":[{\"dropoutRate\":0.0,"
                + "\"learnRate\":0.5,\"learnRateDecay\":1.0,\"size\":4,\"type\":\"dense\"}"), config);
        assertTrue(config.contains("\"outputLayer\":{\"learnRate\":0.5,\"learnRateDecay\":1.0,\"size\":2,"
                + "\"type\":\"output\"}"), config);
        assertTrue(config.endsWith("\"data\":{\"classes\":[\"no\",\"yes\"],\"normalization\":{\"max\":255.0,"
                + "\"min\":0.0},\"shape\":[3,1,1]},\"dataLoader\":{\"fetchSize\":500}}"), config);
        assertFalse(config.contains(" "), "compact JSON");
        assertEquals(8 + length + 53 * 4, bytes.length);
        buffer.position(8 + length);
        float[] written = new float[53];
        buffer.asFloatBuffer().get(written);
        assertArrayEquals(floats, written);
    }

    @Test
    void float64NetworksAreWrittenAsFloat32() {
        Network network = Network.create(IoFixtures.denseModel(), 2, DataType.DOUBLE);
        Path file = dir.resolve("double.net");
        ReferenceNetworkFile.save(file, network);
        Network loaded = ReferenceNetworkFile.load(file);
        assertEquals(DataType.FLOAT, loaded.dataType());
        IoFixtures.assertBitIdentical(network.layers().get(1).parameters().get(0).value().castTo(DataType.FLOAT),
                loaded.layers().get(1).parameters().get(0).value());
    }

    @Test
    void truncatedFilesNameTheLayerAndTheByteCounts() throws IOException {
        byte[] good = referenceFile(DENSE_CONFIG, new float[53]);
        int parameters = 8 + DENSE_CONFIG.length();

        Path lastLayer = write("short.net", Arrays.copyOf(good, good.length - 4));
        assertMessage(lastLayer, lastLayer + " is truncated: expected 48 bytes of parameters for outputLayer (output,"
                + " 2 biases and 2×5 weights) at byte " + (parameters + 164) + ", found 44 (the file has "
                + (good.length - 4) + " bytes, the config implies " + good.length + ")");

        Path firstLayer = write("shorter.net", Arrays.copyOf(good, parameters + 10));
        assertMessage(firstLayer, firstLayer + " is truncated: expected 64 bytes of parameters for hiddenLayers[0]"
                + " (dense, 4 biases and 4×3 weights) at byte " + parameters + ", found 10");

        byte[] conv = referenceFile(CONV_CONFIG, new float[40]);
        Path convFile = write("short-conv.net", Arrays.copyOf(conv, conv.length - 60));
        assertMessage(convFile, "expected 104 bytes of parameters for hiddenLayers[0] (convolutional, 2 filters of"
                + " 3×2×2 plus one bias each) at byte " + (8 + CONV_CONFIG.length()) + ", found 100");

        Path empty = write("empty.net", new byte[0]);
        assertMessage(empty, empty + " is not a Richard network file: it has 0 bytes, fewer than the 8-byte config"
                + " length it must start with");
    }

    @Test
    void trailingBytesAreReported() throws IOException {
        byte[] good = referenceFile(DENSE_CONFIG, new float[53]);
        Path file = write("long.net", Arrays.copyOf(good, good.length + 3));
        assertMessage(file, file + " has 3 trailing bytes after the parameters of the last layer: the config implies "
                + good.length + " bytes, the file has " + (good.length + 3));
    }

    @Test
    void absurdConfigLengthsAndBadConfigsAreReported() throws IOException {
        byte[] good = referenceFile(DENSE_CONFIG, new float[53]);

        byte[] huge = good.clone();
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40);
        Path hugeFile = write("huge.net", huge);
        assertMessage(hugeFile, hugeFile + " is not a Richard network file: it starts with a config length of "
                + (1L << 40) + " bytes, but the file has only " + good.length + " bytes");

        byte[] negative = good.clone();
        ByteBuffer.wrap(negative).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L);
        assertMessage(write("negative.net", negative), "config length of 18446744073709551615 bytes");

        Path notJson = write("notjson.net", referenceFile("{\"classifier\":", new float[0]));
        assertMessage(notJson, notJson + " (network file config):1:15: JSON syntax error:");

        Path badType = write("badtype.net", referenceFile(DENSE_CONFIG.replace("\"dense\"}]", "\"lstm\"}]"),
                new float[53]));
        assertMessage(badType, badType + " (network file config):1:");
        assertMessage(badType, ": classifier.network.hiddenLayers[1].type: unknown layer type 'lstm' (expected one of"
                + " dense, convolutional, maxPooling)");

        Path badSize = write("badsize.net", referenceFile(DENSE_CONFIG.replace("\"size\":2", "\"size\":3"),
                new float[53]));
        assertMessage(badSize, ": classifier.network.outputLayer.size: size is 3 but there are 2 classes");

        Path missing = dir.resolve("missing.net");
        assertMessage(missing, "model file " + missing + " does not exist");
    }

    @Test
    void modelsLoadsBothKinds() throws IOException {
        Network network = Network.create(IoFixtures.convModel(), 9);
        INDArray input = IoFixtures.input(network.model(), 3, DataType.FLOAT, 5);

        Path archive = dir.resolve("model.richard");
        ModelArchive.save(archive, network, Map.of("epochs", "4"));
        SavedModel fromArchive = Models.load(archive);
        assertEquals(1, fromArchive.formatVersion());
        assertEquals("4", fromArchive.metadata().get("epochs"));
        IoFixtures.assertSameNetwork(network, fromArchive.network(), input);

        Path reference = dir.resolve("model.net");
        ReferenceNetworkFile.save(reference, network);
        SavedModel fromReference = Models.load(reference);
        assertEquals(0, fromReference.formatVersion());
        assertEquals(Map.of(), fromReference.metadata());
        IoFixtures.assertSameNetwork(network, fromReference.network(), input);

        Path missing = dir.resolve("none.net");
        assertEquals("model file " + missing + " does not exist",
                assertThrows(ModelFormatException.class, () -> Models.load(missing)).getMessage());
    }

    @Test
    void failedSaveLeavesNoTemporaryFile() throws IOException {
        Path file = dir.resolve("sub").resolve("model.net");
        assertThrows(java.io.UncheckedIOException.class,
                () -> ReferenceNetworkFile.save(file, Network.create(IoFixtures.denseModel(), 1)));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.toList());
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    /** The bytes of a reference network file: length, config, float32 parameters, little-endian. */
    static byte[] referenceFile(String config, float[] parameters) {
        byte[] json = config.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
        out.writeBytes(json);
        out.writeBytes(NpyTest.floats(parameters));
        return out.toByteArray();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    private static void assertMessage(Path file, String expected) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ReferenceNetworkFile.load(file));
        assertTrue(e.getMessage().contains(expected), () -> "expected a message containing\n  " + expected
                + "\nbut was\n  " + e.getMessage());
    }
}
