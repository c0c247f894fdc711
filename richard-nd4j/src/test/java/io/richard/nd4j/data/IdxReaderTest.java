package io.richard.nd4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import io.richard.api.DataException;
import io.richard.api.Shape;
import io.richard.api.data.Batch;
import io.richard.api.data.BatchStream;
import io.richard.api.spec.DataSpec;
import io.richard.api.spec.Normalization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class IdxReaderTest {

    private static final List<String> DIGITS = IdxReader.MNIST_CLASSES;
    private static final Normalization BYTES = IdxReader.MNIST_NORMALIZATION;

    /** Three images of 2 rows × 3 columns: pixel (x, y) of image n is 100·n + 10·y + x. */
    private static final int[][] PIXELS = {
            {0, 1, 2, 10, 11, 12},
            {100, 101, 102, 110, 111, 112},
            {200, 201, 202, 210, 211, 255},
    };
    private static final int[] LABELS = {7, 0, 3};

    @TempDir
    Path dir;

    private static byte[] idx(int magic, int[] dims, int[]... records) {
        ByteBuffer header = ByteBuffer.allocate(4 + 4 * dims.length).putInt(magic);
        Arrays.stream(dims).forEach(header::putInt);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header.array());
        for (int[] record : records) {
            for (int value : record) {
                out.write(value);
            }
        }
        return out.toByteArray();
    }

    private static byte[] images(int[]... images) {
        return idx(0x00000803, new int[] {images.length, 2, 3}, images);
    }

    private static byte[] labels(int... labels) {
        return idx(0x00000801, new int[] {labels.length}, labels);
    }

    private Path write(String name, byte[] bytes) {
        try {
            return Files.write(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path writeGzipped(String name, byte[] bytes) {
        Path file = dir.resolve(name);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private static INDArray expectedFeatures(int count) {
        float[][] rows = new float[count][];
        for (int n = 0; n < count; n++) {
            rows[n] = new float[PIXELS[n].length];
            for (int i = 0; i < rows[n].length; i++) {
                rows[n][i] = PIXELS[n][i] / 255f;
            }
        }
        return Nd4j.createFromArray(rows);
    }

    private static String message(Runnable load) {
        return assertThrows(DataException.class, load::run).getMessage();
    }

    @Test
    void readsRawFilesExactly() {
        Path images = write("images", images(PIXELS));
        Path labels = write("labels", labels(LABELS));

        InMemoryDataSet data = IdxReader.load(images, labels, DIGITS, BYTES);

        assertEquals(3, data.size());
        assertEquals(new Shape(3, 2, 1), data.shape());
        assertEquals(DIGITS, data.classes());
        assertEquals(DataType.FLOAT, data.dataType());
        assertEquals(expectedFeatures(3), data.features());
        assertArrayEquals(LABELS, data.labels());
    }

    @Test
    void detectsGzipByContentNotByName() {
        Path images = writeGzipped("images.raw", images(PIXELS));
        Path labels = writeGzipped("labels", labels(LABELS));
        write("plain.gz", images(PIXELS));

        InMemoryDataSet data = IdxReader.load(images, labels, DIGITS, BYTES);
        assertEquals(expectedFeatures(3), data.features());
        assertArrayEquals(LABELS, data.labels());

        InMemoryDataSet mixed = IdxReader.load(dir.resolve("plain.gz"), labels, DIGITS, BYTES);
        assertEquals(expectedFeatures(3), mixed.features());
    }

    @Test
    void appliesTheNormalizationAndMapsLabelsByClassName() {
        Path images = write("images", images(PIXELS));
        Path labels = write("labels", labels(LABELS));

        InMemoryDataSet data = IdxReader.load(images, labels, List.of("3", "7", "0"), new Normalization(100, 200));

        assertArrayEquals(new int[] {1, 2, 0}, data.labels());
        assertEquals(-1.0, data.features().getDouble(0, 0), 1e-6);
        assertEquals(0.12, data.features().getDouble(1, 5), 1e-6);
        assertEquals(1.55, data.features().getDouble(2, 5), 1e-6);
        Batch batch;
        try (BatchStream stream = data.batches(3)) {
            batch = stream.next();
        }
        assertEquals(Nd4j.createFromArray(new float[][] {{0, 1, 0}, {0, 0, 1}, {1, 0, 0}}), batch.y());
    }

    @Test
    void limitReadsOnlyTheFirstSamples() {
        byte[] full = images(PIXELS);
        Path images = write("images", Arrays.copyOf(full, full.length - 3));
        Path labels = write("labels", labels(LABELS));

        InMemoryDataSet data = IdxReader.load(images, labels, DIGITS, BYTES, 2);

        assertEquals(2, data.size());
        assertEquals(expectedFeatures(2), data.features());
        assertArrayEquals(new int[] {7, 0}, data.labels());
    }

    @Test
    void readsMoreImagesThanOneChunk() {
        int count = 300;
        int[][] images = new int[count][];
        int[] labels = new int[count];
        for (int n = 0; n < count; n++) {
            images[n] = new int[64 * 64];
            Arrays.fill(images[n], n % 256);
            labels[n] = n % 10;
        }
        Path imageFile = write("images", idx(0x00000803, new int[] {count, 64, 64}, images));
        Path labelFile = write("labels", labels(labels));

        InMemoryDataSet data = IdxReader.load(imageFile, labelFile, DIGITS, new Normalization(0, 1));

        assertEquals(new Shape(64, 64, 1), data.shape());
        INDArray features = data.features();
        for (int n = 0; n < count; n += 37) {
            assertEquals((n % 256) * 64 * 64, features.getRow(n).sumNumber().doubleValue(), 1e-3, "image " + n);
        }
        assertEquals(255 * 64 * 64, features.getRow(count - 1 - 44).sumNumber().doubleValue(), 1e-3);
        assertEquals(count, data.size());
        assertEquals(9, data.label(count - 1));
    }

    @Test
    void loadWithDataSpecChecksTheShape() {
        Path images = write("images", images(PIXELS));
        Path labels = write("labels", labels(LABELS));

        DataSpec matching = new DataSpec(DIGITS, new Shape(3, 2, 1), BYTES);
        assertEquals(3, IdxReader.load(images, labels, matching, 10).size());

        DataSpec transposed = new DataSpec(DIGITS, new Shape(2, 3, 1), BYTES);
        assertEquals("images file " + images + " holds images of shape [3, 2, 1] [W, H, D], but data.shape is "
                + "[2, 3, 1]", message(() -> IdxReader.load(images, labels, transposed, 10)));
    }

    @Test
    void missingFileIsNamed() {
        Path labels = write("labels", labels(LABELS));
        Path missing = dir.resolve("nope");

        assertEquals("images file " + missing + " does not exist",
                message(() -> IdxReader.load(missing, labels, DIGITS, BYTES)));
        assertEquals("labels file " + missing + " does not exist",
                message(() -> IdxReader.load(write("images", images(PIXELS)), missing, DIGITS, BYTES)));
        assertEquals("images file " + dir + " is a directory",
                message(() -> IdxReader.load(dir, labels, DIGITS, BYTES)));
    }

    @Test
    void wrongMagicShowsExpectedAndFoundInHex() {
        Path images = write("images", images(PIXELS));
        Path labels = write("labels", labels(LABELS));

        assertEquals("images file " + labels + " has 1 dimension(s), but images need 3: magic number 0x00000801, "
                        + "expected 0x00000803 (unsigned bytes, 3 dimensions: images, rows, columns)",
                message(() -> IdxReader.load(labels, labels, DIGITS, BYTES)));
        assertEquals("labels file " + images + " has 3 dimension(s), but labels need 1: magic number 0x00000803, "
                        + "expected 0x00000801 (unsigned bytes, 1 dimension: labels)",
                message(() -> IdxReader.load(images, images, DIGITS, BYTES)));

        Path png = write("picture.png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
        assertEquals("images file " + png + " is not an IDX file of unsigned bytes: magic number 0x89504E47, "
                        + "expected 0x00000803 (unsigned bytes, 3 dimensions: images, rows, columns)",
                message(() -> IdxReader.load(png, labels, DIGITS, BYTES)));

        Path floats = write("floats", idx(0x00000D03, new int[] {1, 1, 1}, new int[4]));
        assertEquals("images file " + floats + " is not an IDX file of unsigned bytes: magic number 0x00000D03, "
                        + "expected 0x00000803 (unsigned bytes, 3 dimensions: images, rows, columns)",
                message(() -> IdxReader.load(floats, labels, DIGITS, BYTES)));
    }

    @Test
    void imagesNeedThreeDimensions() {
        Path labels = write("labels", labels(LABELS));
        Path flat = write("flat", idx(0x00000802, new int[] {3, 6}, PIXELS));

        assertEquals("images file " + flat + " has 2 dimension(s), but images need 3: magic number 0x00000802, "
                        + "expected 0x00000803 (unsigned bytes, 3 dimensions: images, rows, columns)",
                message(() -> IdxReader.load(flat, labels, DIGITS, BYTES)));
    }

    @Test
    void truncatedDataGivesExpectedAndFoundBytes() {
        byte[] full = images(PIXELS);
        Path images = write("images", Arrays.copyOf(full, full.length - 4));
        Path labels = write("labels", labels(LABELS));

        assertEquals("images file " + images + " is truncated: expected 18 bytes of the images, found 14"
                        + " (its header declares 3 images of 3×2 pixels)",
                message(() -> IdxReader.load(images, labels, DIGITS, BYTES)));

        byte[] fullLabels = labels(LABELS);
        Path shortLabels = write("short-labels", Arrays.copyOf(fullLabels, fullLabels.length - 1));
        Path goodImages = write("good-images", full);
        assertEquals("labels file " + shortLabels + " is truncated: expected 3 bytes of the labels, found 2"
                        + " (its header declares 3 labels)",
                message(() -> IdxReader.load(goodImages, shortLabels, DIGITS, BYTES)));

        Path header = write("header", Arrays.copyOf(full, 10));
        assertEquals("images file " + header + " is truncated: expected 12 bytes of the dimension sizes, found 6",
                message(() -> IdxReader.load(header, labels, DIGITS, BYTES)));

        Path empty = write("empty", new byte[0]);
        assertEquals("labels file " + empty + " is truncated: expected 4 bytes of the magic number, found 0",
                message(() -> IdxReader.load(goodImages, empty, DIGITS, BYTES)));
    }

    @Test
    void truncatedGzipStreamIsReportedAsTruncated() {
        Path gz = writeGzipped("whole.gz", images(PIXELS));
        byte[] compressed;
        try {
            compressed = Files.readAllBytes(gz);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path cut = write("cut.gz", Arrays.copyOf(compressed, compressed.length - 12));
        Path labels = write("labels", labels(LABELS));

        String message = message(() -> IdxReader.load(cut, labels, DIGITS, BYTES));
        assertTrue(message.startsWith("images file " + cut + " is truncated: expected 18 bytes of the "
                + "images, found "), message);
    }

    @Test
    void countMismatchNamesBothFiles() {
        Path images = write("images", images(PIXELS));
        Path labels = write("labels", labels(7, 0));

        assertEquals("images file " + images + " holds 3 images but labels file " + labels
                        + " holds 2 labels; the counts must be equal",
                message(() -> IdxReader.load(images, labels, DIGITS, BYTES)));
    }

    @Test
    void labelOutsideTheClassesNamesTheRecord() {
        Path images = write("images", images(PIXELS));
        Path labels = write("labels", labels(LABELS));

        assertEquals("labels file " + labels + ": record 2 has label 3, which is not one of the classes [7, 0]",
                message(() -> IdxReader.load(images, labels, List.of("7", "0"), BYTES)));
    }

    @Test
    void loadMnistFindsRawOrGzippedFiles() {
        write("t10k-images-idx3-ubyte", images(PIXELS));
        writeGzipped("t10k-labels-idx1-ubyte.gz", labels(LABELS));

        InMemoryDataSet test = IdxReader.loadMnist(dir, false, 2);
        assertEquals(expectedFeatures(2), test.features());
        assertArrayEquals(new int[] {7, 0}, test.labels());

        assertEquals("MNIST directory " + dir + " has neither train-images-idx3-ubyte nor "
                + "train-images-idx3-ubyte.gz", message(() -> IdxReader.loadMnist(dir, true, 2)));
        Path none = dir.resolve("none");
        assertEquals("MNIST directory " + none + " does not exist or is not a directory",
                message(() -> IdxReader.loadMnist(none, true, 2)));
    }

    @Test
    void readsTheRealMnistTestSet() {
        Path mnist = findMnist();
        // CI has the data beside its clone (../shared/datasets/mnist): there a missing folder is a failure, not a skip
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(mnist != null, "real MNIST not found at ../shared/datasets/mnist beside the repository ("
                    + repositoryRoot() + ")");
        }
        assumeTrue(mnist != null, "real MNIST not found; set -Drichard.mnist.dir to run this test");

        InMemoryDataSet test = IdxReader.loadMnist(mnist, false, Integer.MAX_VALUE);

        assertEquals(10_000, test.size());
        assertEquals(new Shape(28, 28, 1), test.shape());
        assertEquals(7, test.label(0));
        assertEquals(2, test.label(1));
        assertEquals(1, test.label(2));
        INDArray x = test.features().castTo(DataType.DOUBLE);
        assertEquals(0.0, x.minNumber().doubleValue());
        assertEquals(1.0, x.maxNumber().doubleValue());
        assertEquals(0.13251, x.meanNumber().doubleValue(), 1e-5);
        assertEquals(0.31048, x.stdNumber().doubleValue(), 1e-5);
        int[] counts = new int[10];
        Arrays.stream(test.labels()).forEach(label -> counts[label]++);
        assertArrayEquals(new int[] {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, counts);
    }

    /**
     * The real MNIST folder: {@code -Drichard.mnist.dir}; else {@code ../shared/datasets/mnist} beside the repository,
     * where the team's machines (worktrees /work/NAME beside /work/shared) and CI (a clone with shared/ beside it)
     * keep it; else {@code shared/datasets/mnist} in any folder above the working directory. Null if none has the
     * test files.
     */
    static Path findMnist() {
        String configured = System.getProperty("richard.mnist.dir");
        if (configured != null) {
            return Path.of(configured);
        }
        java.util.List<Path> candidates = new java.util.ArrayList<>();
        Path root = repositoryRoot();
        if (root != null && root.getParent() != null) {
            candidates.add(root.getParent().resolve("shared/datasets/mnist"));
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            candidates.add(p.resolve("shared/datasets/mnist"));
        }
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate.resolve("t10k-images-idx3-ubyte.gz"))
                    || Files.isRegularFile(candidate.resolve("t10k-images-idx3-ubyte"))) {
                return candidate;
            }
        }
        return null;
    }

    /** The checkout this test runs in: the nearest folder above the working directory with the richard-nd4j module. */
    static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("richard-nd4j"))) {
                return p;
            }
        }
        return null;
    }
}
