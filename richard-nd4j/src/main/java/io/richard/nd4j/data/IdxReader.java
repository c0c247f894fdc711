package io.richard.nd4j.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;
import io.richard.api.DataException;
import io.richard.api.Shape;
import io.richard.api.spec.DataSpec;
import io.richard.api.spec.Normalization;
import io.richard.nd4j.MemoryEstimate;
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
    /** Values first allocated for images whose count the file's length cannot confirm (64 MB of float32). */
    private static final long INITIAL_VALUES = 1L << 24;

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
            int pixels = imageFile.pixels(imageDims);
            int count = Math.min(limit, imageDims[0]);
            if (count == 0) {
                throw new DataException("images file " + images + " holds no images");
            }
            imageFile.requireBytes(count, pixels, imageDims);
            labelFile.requireBytes(count, 1, labelDims);
            requireMemory(imageFile, count, pixels, imageDims, true, MemoryEstimate.available());
            int[] classIndices = labelFile.readLabels(count, classes);
            Shape shape = new Shape(imageDims[2], imageDims[1], 1);
            INDArray features = imageFile.readImages(count, pixels, normalization);
            return new InMemoryDataSet(features, classIndices, classes, shape);
        }
    }

    /**
     * Images without labels, as {@link #readImages(InputStream, String, Normalization, int)} reads them.
     *
     * @param features (count, rows · columns) normalised values, one image per row
     * @param rows     the height of every image
     * @param columns  the width of every image
     */
    public record Images(INDArray features, int rows, int columns) {

        /** The images' shape {@code [columns, rows, 1]}. */
        public Shape shape() {
            return new Shape(columns, rows, 1);
        }
    }

    /**
     * Reads the first {@code limit} images of an IDX images file (gzipped or not) from a stream read once from
     * start to end: a pipe, standard input, or a file. Where the stream's length is unknown, the header's count
     * is checked against the free memory before anything is allocated, and the images are read into memory that
     * grows with the data actually there, so a header that claims more than the stream holds ends in a
     * "truncated" message, never in an allocation of what it claims.
     *
     * @param name   the name used in messages (the file, or "standard input")
     * @param length the stream's length in bytes if known (a regular file), or -1
     * @throws DataException naming the input and what is wrong with it
     */
    public static Images readImages(InputStream in, String name, long length, Normalization normalization,
                                    int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("sample limit must be positive, got " + limit);
        }
        try (IdxFile file = IdxFile.of(in, name, "images", length)) {
            int[] dims = file.readHeader(IMAGES_MAGIC, "images, rows, columns");
            int pixels = file.pixels(dims);
            int count = Math.min(limit, dims[0]);
            if (count == 0) {
                throw new DataException("images file " + name + " holds no images");
            }
            file.requireBytes(count, pixels, dims);
            requireMemory(file, count, pixels, dims, false, MemoryEstimate.available());
            return new Images(file.readImages(count, pixels, normalization), dims[1], dims[2]);
        }
    }

    /** Reads an images file's first {@code limit} images; see {@link #readImages(InputStream, String, Normalization, int)}. */
    public static Images readImages(Path images, Normalization normalization, int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("sample limit must be positive, got " + limit);
        }
        try (IdxFile file = IdxFile.open(images, "images")) {
            int[] dims = file.readHeader(IMAGES_MAGIC, "images, rows, columns");
            int pixels = file.pixels(dims);
            int count = Math.min(limit, dims[0]);
            if (count == 0) {
                throw new DataException("images file " + images + " holds no images");
            }
            file.requireBytes(count, pixels, dims);
            requireMemory(file, count, pixels, dims, false, MemoryEstimate.available());
            return new Images(file.readImages(count, pixels, normalization), dims[1], dims[2]);
        }
    }

    /**
     * The raw label bytes of the first {@code count} records of an IDX labels file, or empty if the file holds
     * fewer (for showing expected labels beside predictions).
     */
    public static java.util.Optional<int[]> readLabelBytes(Path labels, int count) {
        try (IdxFile file = IdxFile.open(labels, "labels")) {
            int[] dims = file.readHeader(LABELS_MAGIC, "labels");
            if (dims[0] < count) {
                return java.util.Optional.empty();
            }
            file.requireBytes(count, 1, dims);
            byte[] bytes = file.readExactly(count, "the labels");
            int[] values = new int[count];
            for (int i = 0; i < count; i++) {
                values[i] = bytes[i] & 0xff;
            }
            return java.util.Optional.of(values);
        }
    }

    /**
     * Refuses to read {@code count} images that cannot fit in memory, before allocating them: their float32
     * values live outside the Java heap (bounded by the free physical memory), their labels on the heap.
     */
    static void requireMemory(IdxFile file, int count, int pixels, int[] dims, boolean labelled,
                              MemoryEstimate.Available available) {
        long valueBytes = 4L * count * pixels;
        long labelBytes = labelled ? 5L * count : 0;                  // the label bytes read and their class indices
        String declares = "images file " + file.path + " declares " + String.format(Locale.ROOT, "%,d", dims[0])
                + (dims[0] == 1 ? " image" : " images") + " of " + dims[2] + "×" + dims[1] + " pixels";
        String fewer = count < dims[0] ? "" : "; if it really holds that many, read fewer with a sample limit"
                + " (training.limit or --limit), otherwise its header is wrong";
        if (available.physicalFree() > 0 && valueBytes > available.physicalFree()) {
            throw new DataException(declares + ": " + (count < dims[0] ? "the first " + String.format(Locale.ROOT,
                    "%,d", count) + " take " : "they take ") + MemoryEstimate.bytes(valueBytes) + " of memory as"
                    + " float32 values, but only " + available.describe() + fewer);
        }
        if (labelBytes > available.heapFree()) {
            throw new DataException(declares + ": their labels take " + MemoryEstimate.bytes(labelBytes)
                    + " of Java's heap, but only " + MemoryEstimate.bytes(available.heapFree()) + " is free" + fewer
                    + " (or give Java more with RICHARD_JAVA_OPTS=-Xmx8g)");
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
    static final class IdxFile implements AutoCloseable {
        private final String path;
        private final String kind;
        private final InputStream in;
        /** The bytes of the (uncompressed) file, or -1 where that is unknown: a gzipped file or a stream. */
        private final long length;
        private long headerBytes;

        private IdxFile(String path, String kind, InputStream in, long length) {
            this.path = path;
            this.kind = kind;
            this.in = in;
            this.length = length;
        }

        static IdxFile open(Path path, String kind) {
            if (!Files.exists(path)) {
                throw new DataException(kind + " file " + path + " does not exist");
            }
            if (Files.isDirectory(path)) {
                throw new DataException(kind + " file " + path + " is a directory");
            }
            InputStream raw = null;
            try {
                raw = Files.newInputStream(path);
                long size = Files.isRegularFile(path) ? Files.size(path) : -1;
                return of(raw, path.toString(), kind, size);
            } catch (NoSuchFileException e) {
                throw new DataException(kind + " file " + path + " does not exist", e);
            } catch (IOException e) {
                closeQuietly(raw);
                throw new DataException("cannot read " + kind + " file " + path + ": " + e.getMessage(), e);
            }
        }

        /** An IDX file read from a stream, gzipped or not (recognised by gzip's magic bytes). */
        static IdxFile of(InputStream stream, String name, String kind, long length) {
            try {
                InputStream raw = new BufferedInputStream(stream, 1 << 16);
                raw.mark(2);
                boolean gzipped = raw.read() == 0x1f && raw.read() == 0x8b;
                raw.reset();
                InputStream in = gzipped ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw;
                return new IdxFile(name, kind, in, gzipped ? -1 : length);
            } catch (IOException e) {
                closeQuietly(stream);
                throw new DataException("cannot read " + kind + " file " + name + ": " + e.getMessage(), e);
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
            headerBytes = 4 + 4L * dims;
            return sizes;
        }

        /** The pixels of one image of an images header, rows × columns. */
        int pixels(int[] dims) {
            long pixels = (long) dims[1] * dims[2];
            if (pixels > Integer.MAX_VALUE) {
                throw new DataException(kind + " file " + path + " declares images of " + dims[1] + " × "
                        + dims[2] + " pixels, more than this reader supports");
            }
            return (int) pixels;
        }

        /**
         * Where the file's length is known, checks that it holds the {@code count} records of {@code width}
         * bytes about to be read, before anything is allocated for them.
         */
        void requireBytes(int count, int width, int[] dims) {
            long needed = (long) count * width;
            if (length >= 0 && needed > length - headerBytes) {
                throw new DataException(kind + " file " + path + " is truncated: expected " + grouped(needed)
                        + " bytes of the " + kind + ", found " + grouped(Math.max(0, length - headerBytes))
                        + " (its header declares " + declared(dims) + ")");
            }
        }

        private static String declared(int[] dims) {
            if (dims.length == 1) {
                return grouped(dims[0]) + (dims[0] == 1 ? " label" : " labels");
            }
            return grouped(dims[0]) + (dims[0] == 1 ? " image" : " images") + " of " + dims[2] + "×" + dims[1]
                    + " pixels";
        }

        /** Reads {@code count} label bytes and maps each to the index of its class. */
        int[] readLabels(int count, List<String> classes) {
            int[] classOfByte = new int[256];
            for (int b = 0; b < 256; b++) {
                classOfByte[b] = classes.indexOf(String.valueOf(b));
            }
            int[] indices = new int[count];
            byte[] bytes = new byte[Math.min(count, CHUNK_PIXELS)];
            for (int start = 0; start < count; start += bytes.length) {
                int length = Math.min(bytes.length, count - start);
                int read = readFully(bytes, length);
                if (read < length) {
                    throw truncated("the labels", count, (long) start + read);
                }
                for (int i = 0; i < length; i++) {
                    int label = bytes[i] & 0xff;
                    indices[start + i] = classOfByte[label];
                    if (indices[start + i] < 0) {
                        throw new DataException(kind + " file " + path + ": record " + (start + i) + " has label "
                                + label + ", which is not one of the classes " + CsvDataSet.abbreviate(classes));
                    }
                }
            }
            return indices;
        }

        /**
         * Reads {@code count} images of {@code pixels} bytes each into a normalised float32 matrix, a bounded
         * buffer at a time. Where the file's length is unknown the matrix starts small and grows with the data
         * actually read, so that a header claiming more than the file holds costs no more than the file.
         */
        INDArray readImages(int count, int pixels, Normalization normalization) {
            return readImages(count, pixels, normalization, INITIAL_VALUES);
        }

        /** {@link #readImages(int, int, Normalization)} starting, where the length is unknown, with {@code initialValues}. */
        INDArray readImages(int count, int pixels, Normalization normalization, long initialValues) {
            float[] valueOfByte = new float[256];
            for (int b = 0; b < 256; b++) {
                valueOfByte[b] = (float) normalization.apply(b);
            }
            long total = (long) count * pixels;
            long capacity = length >= 0 ? count : Math.min(count, Math.max(1, initialValues / pixels));
            INDArray features = Nd4j.create(DataType.FLOAT, capacity, pixels);
            INDArray flat = features.reshape(new long[] {capacity * pixels});
            int buffer = (int) Math.min(total, CHUNK_PIXELS);
            byte[] bytes = new byte[buffer];
            float[] values = new float[buffer];
            for (long at = 0; at < total; ) {
                int length = (int) Math.min(buffer, total - at);
                int read = readFully(bytes, length);
                if (read < length) {
                    throw truncated("the images", total, at + read);
                }
                long needed = (at + length + pixels - 1) / pixels;              // images begun so far
                if (needed > capacity) {
                    long grown = Math.min(count, Math.max(needed, 2 * capacity));
                    INDArray larger = Nd4j.create(DataType.FLOAT, grown, pixels);
                    larger.get(NDArrayIndex.interval(0, capacity), NDArrayIndex.all()).assign(features);
                    features = larger;
                    capacity = grown;
                    flat = features.reshape(new long[] {capacity * pixels});
                }
                for (int i = 0; i < length; i++) {
                    values[i] = valueOfByte[bytes[i] & 0xff];
                }
                INDArray block = Nd4j.create(values, new long[] {1, buffer}, DataType.FLOAT);
                if (length < buffer) {
                    block = block.get(NDArrayIndex.point(0), NDArrayIndex.interval(0, length));
                }
                flat.get(NDArrayIndex.interval(at, at + length)).assign(block.reshape(length));
                at += length;
            }
            return features;
        }

        byte[] readExactly(int length, String what) {
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
            return new DataException(kind + " file " + path + " is truncated: expected " + grouped(expected)
                    + " bytes of " + what + ", found " + grouped(found) + (compressedDataEnded
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

    private static String grouped(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
