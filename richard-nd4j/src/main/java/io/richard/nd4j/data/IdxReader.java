package io.richard.nd4j.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;
import io.richard.api.DataException;
import io.richard.api.Shape;
import io.richard.api.spec.DataSpec;
import io.richard.api.spec.Normalization;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Reads labelled images in the IDX format of MNIST into an {@link InMemoryDataSet}.
 *
 * <p>An images file holds the magic number {@code 0x00000803} (unsigned bytes, 3 dimensions), the image count,
 * the number of rows and of columns, all big-endian 32-bit integers, then the pixels, one byte each, image by
 * image and row by row. A labels file holds the magic number {@code 0x00000801}, the label count, then one
 * byte per label. Either file may be gzipped; that is recognised by the gzip magic bytes, not by the file
 * name.
 *
 * <p>A {@code rows × cols} image becomes a sample of shape {@code [cols, rows, 1]} whose values follow the
 * file's order, which is the reference's (x fastest, then y). Each pixel p becomes {@code (p − min) / (max −
 * min)} for the given {@link Normalization}, and a label byte b becomes the index of the class named
 * {@code String.valueOf(b)}.
 *
 * <p>With a sample limit only the bytes of the first {@code limit} records are read, so a file cut short after
 * them still loads.
 */
public final class IdxReader {

    /** Magic number of an IDX file of unsigned bytes with 3 dimensions (images, rows, columns). */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic number of an IDX file of unsigned bytes with 1 dimension (labels). */
    public static final int LABELS_MAGIC = 0x00000801;
    /** MNIST's classes, the digits "0" to "9". */
    public static final List<String> MNIST_CLASSES =
            IntStream.rangeClosed(0, 9).mapToObj(String::valueOf).toList();
    /** MNIST's pixel range, 0 to 255. */
    public static final Normalization MNIST_NORMALIZATION = new Normalization(0, 255);

    private static final int UNSIGNED_BYTE = 0x08;
    /** Pixels converted and copied into the feature matrix at a time, which bounds the reader's heap use. */
    private static final int CHUNK_PIXELS = 1 << 20;

    private IdxReader() {
    }

    /**
     * Reads every sample of an images file and its labels file; see
     * {@link #load(Path, Path, List, Normalization, int)}.
     */
    public static InMemoryDataSet load(Path images, Path labels, List<String> classes, Normalization normalization) {
        return load(images, labels, classes, normalization, Integer.MAX_VALUE);
    }

    /**
     * Reads the first {@code limit} samples (all of them if there are fewer) of an images file and its labels
     * file.
     *
     * @param classes       the class labels in output-neuron order; label byte b is the class named
     *                      {@code String.valueOf(b)}
     * @param normalization the scaling applied to every raw pixel value
     * @param limit         the largest number of samples to read, at least 1; {@link Integer#MAX_VALUE} for all
     * @throws DataException naming the file and what is wrong with it: missing, not an IDX file of the expected
     *                       kind, truncated, images and labels counts differ, or a label that is not a class
     */
    public static InMemoryDataSet load(Path images, Path labels, List<String> classes, Normalization normalization,
                                       int limit) {
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(normalization, "normalization");
        if (classes.isEmpty()) {
            throw new IllegalArgumentException("at least one class is needed to read labels");
        }
        if (limit <= 0) {
            throw new IllegalArgumentException("sample limit must be positive, got " + limit);
        }
        try (IdxFile imageFile = IdxFile.open(images, "images");
             IdxFile labelFile = IdxFile.open(labels, "labels")) {
            int[] imageDims = imageFile.readHeader(IMAGES_MAGIC, "images, rows, columns");
            int[] labelDims = labelFile.readHeader(LABELS_MAGIC, "labels");
            if (imageDims[0] != labelDims[0]) {
                throw new DataException("images file " + images + " holds " + imageDims[0]
                        + " images but labels file " + labels + " holds " + labelDims[0]
                        + " labels; the counts must be equal");
            }
            if ((long) imageDims[1] * imageDims[2] > Integer.MAX_VALUE) {
                throw new DataException("images file " + images + " declares images of " + imageDims[1] + " × "
                        + imageDims[2] + " pixels, more than this reader supports");
            }
            int count = Math.min(limit, imageDims[0]);
            if (count == 0) {
                throw new DataException("images file " + images + " holds no images");
            }
            int[] classIndices = labelFile.readLabels(count, classes);
            Shape shape = new Shape(imageDims[2], imageDims[1], 1);
            INDArray features = imageFile.readImages(count, shape.size(), normalization);
            return new InMemoryDataSet(features, classIndices, classes, shape);
        }
    }

    /**
     * Reads the first {@code limit} samples of an images file and its labels file for a model's data section,
     * checking that the images have the declared shape.
     *
     * @throws DataException as {@link #load(Path, Path, List, Normalization, int)}, or if the images' shape
     *                       differs from {@code data.shape()}
     */
    public static InMemoryDataSet load(Path images, Path labels, DataSpec data, int limit) {
        InMemoryDataSet set = load(images, labels, data.classes(), data.normalization(), limit);
        if (!set.shape().equals(data.shape())) {
            throw new DataException("images file " + images + " holds images of shape " + set.shape()
                    + " [W, H, D], but data.shape is " + data.shape());
        }
        return set;
    }

    /**
     * Reads MNIST from a directory holding {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte},
     * {@code t10k-images-idx3-ubyte} and {@code t10k-labels-idx1-ubyte}, each optionally with the suffix
     * {@code .gz}, with classes "0" to "9" and pixels scaled from 0..255 to 0..1.
     *
     * @param train {@code true} for the 60,000 training samples, {@code false} for the 10,000 test samples
     * @param limit the largest number of samples to read; {@link Integer#MAX_VALUE} for all
     */
    public static InMemoryDataSet loadMnist(Path dir, boolean train, int limit) {
        String prefix = train ? "train" : "t10k";
        Path images = findMnistFile(dir, prefix + "-images-idx3-ubyte");
        Path labels = findMnistFile(dir, prefix + "-labels-idx1-ubyte");
        return load(images, labels, MNIST_CLASSES, MNIST_NORMALIZATION, limit);
    }

    private static Path findMnistFile(Path dir, String name) {
        if (!Files.isDirectory(dir)) {
            throw new DataException("MNIST directory " + dir + " does not exist or is not a directory");
        }
        for (String candidate : List.of(name + ".gz", name)) {
            Path file = dir.resolve(candidate);
            if (Files.isRegularFile(file)) {
                return file;
            }
        }
        throw new DataException("MNIST directory " + dir + " has neither " + name + " nor " + name + ".gz");
    }

    private static String hex(int value) {
        return String.format("0x%08X", value);
    }

    /** One open IDX file and the bookkeeping for messages that name it and the byte position reached. */
    private static final class IdxFile implements AutoCloseable {
        private final Path path;
        private final String kind;
        private final InputStream in;

        private IdxFile(Path path, String kind, InputStream in) {
            this.path = path;
            this.kind = kind;
            this.in = in;
        }

        static IdxFile open(Path path, String kind) {
            if (!Files.exists(path)) {
                throw new DataException(kind + " file " + path + " does not exist");
            }
            if (!Files.isRegularFile(path)) {
                throw new DataException(kind + " file " + path + " is not a regular file");
            }
            InputStream raw = null;
            try {
                raw = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
                raw.mark(2);
                boolean gzipped = raw.read() == 0x1f && raw.read() == 0x8b;
                raw.reset();
                InputStream in = gzipped ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw;
                return new IdxFile(path, kind, in);
            } catch (NoSuchFileException e) {
                throw new DataException(kind + " file " + path + " does not exist", e);
            } catch (IOException e) {
                closeQuietly(raw);
                throw new DataException("cannot read " + kind + " file " + path + ": " + e.getMessage(), e);
            }
        }

        /**
         * Reads the magic number and the dimension sizes, checking that the file holds unsigned bytes with the
         * number of dimensions of {@code expectedMagic}.
         */
        int[] readHeader(int expectedMagic, String dimensionNames) {
            byte[] magicBytes = readExactly(4, "the magic number");
            int magic = bigEndian(magicBytes, 0);
            int expectedDims = expectedMagic & 0xff;
            String expected = "expected " + hex(expectedMagic) + " (unsigned bytes, " + expectedDims
                    + (expectedDims == 1 ? " dimension: " : " dimensions: ") + dimensionNames + ")";
            if ((magic >>> 16) != 0 || ((magic >>> 8) & 0xff) != UNSIGNED_BYTE) {
                throw new DataException(kind + " file " + path + " is not an IDX file of unsigned bytes: magic number "
                        + hex(magic) + ", " + expected);
            }
            int dims = magic & 0xff;
            if (dims != expectedDims) {
                throw new DataException(kind + " file " + path + " has " + dims + " dimension(s), but " + kind
                        + " need " + expectedDims + ": magic number " + hex(magic) + ", " + expected);
            }
            byte[] sizeBytes = readExactly(4 * dims, "the dimension sizes");
            int[] sizes = new int[dims];
            for (int d = 0; d < dims; d++) {
                sizes[d] = bigEndian(sizeBytes, 4 * d);
                if (sizes[d] < 0 || (d > 0 && sizes[d] == 0)) {
                    throw new DataException(kind + " file " + path + " declares an invalid size "
                            + Integer.toUnsignedString(sizes[d]) + " for dimension " + (d + 1) + " ("
                            + dimensionNames + ")");
                }
            }
            return sizes;
        }

        /** Reads {@code count} label bytes and maps each to the index of its class. */
        int[] readLabels(int count, List<String> classes) {
            int[] classOfByte = new int[256];
            for (int b = 0; b < 256; b++) {
                classOfByte[b] = classes.indexOf(String.valueOf(b));
            }
            byte[] bytes = readExactly(count, "the labels");
            int[] indices = new int[count];
            for (int i = 0; i < count; i++) {
                int label = bytes[i] & 0xff;
                indices[i] = classOfByte[label];
                if (indices[i] < 0) {
                    throw new DataException(kind + " file " + path + ": record " + i + " has label " + label
                            + ", which is not one of the classes " + classes);
                }
            }
            return indices;
        }

        /** Reads {@code count} images of {@code pixels} bytes each into a normalised float32 matrix. */
        INDArray readImages(int count, int pixels, Normalization normalization) {
            float[] valueOfByte = new float[256];
            for (int b = 0; b < 256; b++) {
                valueOfByte[b] = (float) normalization.apply(b);
            }
            long expectedBytes = (long) count * pixels;
            INDArray features = Nd4j.create(DataType.FLOAT, count, pixels);
            int chunk = Math.min(count, Math.max(1, CHUNK_PIXELS / pixels));
            byte[] bytes = new byte[chunk * pixels];
            float[] values = new float[chunk * pixels];
            for (int start = 0; start < count; start += chunk) {
                int images = Math.min(chunk, count - start);
                int length = images * pixels;
                int read = readFully(bytes, length);
                if (read < length) {
                    throw truncated("the images", expectedBytes, (long) start * pixels + read);
                }
                for (int i = 0; i < length; i++) {
                    values[i] = valueOfByte[bytes[i] & 0xff];
                }
                INDArray block = Nd4j.create(values, new long[] {chunk, pixels}, DataType.FLOAT);
                if (images < chunk) {
                    block = block.get(NDArrayIndex.interval(0, images), NDArrayIndex.all());
                }
                features.get(NDArrayIndex.interval(start, start + images), NDArrayIndex.all()).assign(block);
            }
            return features;
        }

        private byte[] readExactly(int length, String what) {
            byte[] bytes = new byte[length];
            int read = readFully(bytes, length);
            if (read < length) {
                throw truncated(what, length, read);
            }
            return bytes;
        }

        /** Reads up to {@code length} bytes, returning fewer only where the file (or its gzip stream) ends. */
        private int readFully(byte[] buffer, int length) {
            int total = 0;
            try {
                while (total < length) {
                    int n = in.read(buffer, total, length - total);
                    if (n < 0) {
                        break;
                    }
                    total += n;
                }
            } catch (EOFException e) {
                compressedDataEnded = true;                          // a gzip stream cut short
                return total;
            } catch (IOException e) {
                throw new DataException("cannot read " + kind + " file " + path + ": " + e.getMessage(), e);
            }
            return total;
        }

        private boolean compressedDataEnded;

        private DataException truncated(String what, long expected, long found) {
            return new DataException(kind + " file " + path + " is truncated: expected " + expected
                    + " bytes of " + what + ", found " + found + (compressedDataEnded
                    ? " before its gzip data ended" : ""));
        }

        private static int bigEndian(byte[] bytes, int offset) {
            return (bytes[offset] & 0xff) << 24 | (bytes[offset + 1] & 0xff) << 16
                    | (bytes[offset + 2] & 0xff) << 8 | (bytes[offset + 3] & 0xff);
        }

        private static void closeQuietly(InputStream stream) {
            if (stream != null) {
                try {
                    stream.close();
                } catch (IOException ignored) {
                    // the open failure being reported matters more
                }
            }
        }

        @Override
        public void close() {
            closeQuietly(in);
        }
    }
}
