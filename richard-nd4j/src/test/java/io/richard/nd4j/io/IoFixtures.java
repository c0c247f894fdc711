package io.richard.nd4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import io.richard.api.Parameter;
import io.richard.api.Shape;
import io.richard.api.spec.ModelSpec;
import io.richard.api.spec.NetworkSpec;
import io.richard.api.spec.Normalization;
import io.richard.nd4j.Network;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Small networks and archive surgery shared by the file-format tests. */
final class IoFixtures {

    private IoFixtures() {
    }

    /** Input [4, 3, 1] → dense 5 → dense 4 → output 3. */
    static ModelSpec denseModel() {
        NetworkSpec network = NetworkSpec.builder().hyperparams(2, 100, 10).dense(5, 0.1).dense(4, 0.2)
                .output(3, 0.3);
        return ModelSpec.of(List.of("cat", "dog", "owl"), new Shape(4, 3, 1), new Normalization(0, 255), network);
    }

    /** Input [6, 5, 2] → conv 3 of 3×2 → [4, 4, 3] → max pool 2×2 → [2, 2, 3] → dense 5 → output 2. */
    static ModelSpec convModel() {
        NetworkSpec network = NetworkSpec.builder().hyperparams(1, 50, 5).convolutional(3, 3, 2, 0.05)
                .maxPooling(2, 2).dense(5, 0.1).output(2, 0.1);
        return ModelSpec.of(List.of("no", "yes"), new Shape(6, 5, 2), new Normalization(0, 1), network);
    }

    /** Random inputs (n, W·H·D) of the model's input shape. */
    static INDArray input(ModelSpec model, int n, DataType type, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(type, n, model.inputShape().size());
    }

    /** Same shape, type and bits. */
    static void assertBitIdentical(INDArray expected, INDArray actual) {
        assertArrayEquals(expected.shape(), actual.shape(), "shape");
        assertEquals(expected.dataType(), actual.dataType(), "data type");
        assertEquals(expected, actual);
        assertArrayEquals(flat(expected), flat(actual), "values, bit for bit");
    }

    private static double[] flat(INDArray array) {
        return Nd4j.toFlattened('c', array).toDoubleVector();
    }

    /** Every parameter of every layer bit-identical, and the same outputs bit for bit. */
    static void assertSameNetwork(Network expected, Network actual, INDArray input) {
        assertEquals(expected.model(), actual.model(), "model description");
        assertEquals(expected.dataType(), actual.dataType(), "network data type");
        assertEquals(expected.layers().size(), actual.layers().size(), "layer count");
        for (int l = 0; l < expected.layers().size(); l++) {
            List<Parameter> want = expected.layers().get(l).parameters();
            List<Parameter> got = actual.layers().get(l).parameters();
            assertEquals(want.size(), got.size(), "parameter count of layer " + l);
            for (int p = 0; p < want.size(); p++) {
                assertEquals(want.get(p).name(), got.get(p).name());
                assertBitIdentical(want.get(p).value(), got.get(p).value());
            }
        }
        assertBitIdentical(expected.output(input), actual.output(input));
        assertArrayEquals(expected.predict(input), actual.predict(input));
    }

    /** The entries of a ZIP archive, in order. */
    static Map<String, byte[]> unzip(byte[] archive) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(archive))) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                entries.put(entry.getName(), zip.readAllBytes());
            }
        }
        return entries;
    }

    /** A ZIP archive of the given entries, compressed, or stored uncompressed. */
    static byte[] zip(Map<String, byte[]> entries, boolean stored) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                if (stored) {
                    CRC32 crc = new CRC32();
                    crc.update(e.getValue());
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(e.getValue().length);
                    entry.setCompressedSize(e.getValue().length);
                    entry.setCrc(crc.getValue());
                }
                zip.putNextEntry(entry);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** The offset of the first occurrence of {@code pattern} in {@code bytes} at or after {@code from}, or -1. */
    static int indexOf(byte[] bytes, byte[] pattern, int from) {
        outer:
        for (int i = from; i <= bytes.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (bytes[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
