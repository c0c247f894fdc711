package io.richard.nd4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import io.richard.api.DataException;
import io.richard.api.spec.Normalization;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * IDX files whose headers lie: counts from 0 to 2^31 − 1, image sizes from 1×1 to beyond what an int holds, data
 * cut anywhere or complete, plain or gzipped, read from a file or from a stream of unknown length. Each either loads
 * exactly the images written (their values checked) or ends in a {@link DataException} naming the file, before
 * allocating what the header claims; never an {@link OutOfMemoryError} or another exception.
 */
class IdxHeaderPropertyTest {

    private static final AtomicInteger FILES = new AtomicInteger();
    private static final AtomicInteger LOADED = new AtomicInteger();
    private static final AtomicInteger REFUSED = new AtomicInteger();
    private static final Normalization BYTES = new Normalization(0, 255);
    private static final List<String> DIGITS = IdxReader.MNIST_CLASSES;

    @AfterContainer
    static void report() {
        System.out.println("IDX headers: " + FILES.get() + " files, " + LOADED.get() + " loaded exactly, "
                + REFUSED.get() + " refused with a message");
    }

    /** The count a header claims: often the truth, else small lies, huge lies, 2^31 − 1 or zero. */
    private static int claimed(int real, Random random) {
        return switch (random.nextInt(6)) {
            case 0, 1 -> real;
            case 2 -> real + 1 + random.nextInt(1000);
            case 3 -> Integer.MAX_VALUE - random.nextInt(3);
            case 4 -> 1 + random.nextInt(Integer.MAX_VALUE - 1);
            default -> random.nextBoolean() ? 0 : Math.max(0, real - 1);
        };
    }

    private static byte[] header(int magic, int... dims) {
        ByteBuffer buffer = ByteBuffer.allocate(4 + 4 * dims.length).putInt(magic);
        for (int d : dims) {
            buffer.putInt(d);
        }
        return buffer.array();
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Property(tries = 250, seed = "20261206")
    void lyingHeadersEndInAMessageOrLoadExactly(@ForAll long seed, @ForAll boolean gzipped,
                                                @ForAll boolean fromStream) throws IOException {
        Random random = new Random(seed);
        int real = random.nextInt(6);
        int rows = random.nextInt(10) == 0 ? 46_341 + random.nextInt(100) : 1 + random.nextInt(7);
        int cols = random.nextInt(10) == 0 ? 46_341 + random.nextInt(100) : 1 + random.nextInt(7);
        long pixels = (long) rows * cols;
        int count = claimed(real, random);
        byte[] data = new byte[(int) Math.min(real * pixels, 1 << 20)];
        random.nextBytes(data);
        byte[] file = concat(header(IdxReader.IMAGES_MAGIC, count, rows, cols), data);
        if (random.nextInt(4) == 0) {
            file = Arrays.copyOf(file, random.nextInt(file.length + 1));          // cut anywhere, header too
        }
        byte[] written = gzipped ? gzip(file) : file;
        if (gzipped && random.nextInt(5) == 0) {
            written = Arrays.copyOf(written, Math.max(2, written.length - 1 - random.nextInt(12)));  // gzip cut
        }
        int limit = random.nextInt(3) == 0 ? 1 + random.nextInt(4) : Integer.MAX_VALUE;
        FILES.incrementAndGet();
        Path dir = Files.createTempDirectory("idx-headers");
        Path images = Files.write(dir.resolve("x-images-idx3-ubyte"), written);
        try {
            IdxReader.Images read = fromStream
                    ? IdxReader.readImages(new ByteArrayInputStream(written), "pipe", -1, BYTES, limit)
                    : IdxReader.readImages(images, BYTES, limit);
            int expected = Math.min(count, limit);
            assertEquals(expected, read.features().rows(), "the count the header claims (up to the limit)");
            assertEquals(pixels, read.features().columns());
            long needed = expected * pixels;
            assertTrue(file.length >= 16 + needed, "loaded only what the file holds");
            float[] values = read.features().castTo(DataType.FLOAT).reshape(needed).toFloatVector();
            for (int i = 0; i < needed; i++) {
                assertEquals((file[16 + i] & 0xff) / 255f, values[i], 1e-7, "value " + i);
            }
            LOADED.incrementAndGet();
        } catch (DataException e) {
            REFUSED.incrementAndGet();
            String name = fromStream ? "pipe" : images.toString();
            assertTrue(e.getMessage().contains(name), "the message names the input: " + e.getMessage());
            assertTrue(e.getMessage().length() < 600, e.getMessage());
        } catch (Throwable t) {
            fail("count " + count + " of " + rows + "×" + cols + (gzipped ? " gzipped" : "") + ", "
                    + written.length + " bytes: " + t, t);
        } finally {
            Files.delete(images);
            Files.delete(dir);
        }
    }

    @Property(tries = 60, seed = "20261206")
    void labelledSetsCheckBothFilesBeforeAllocating(@ForAll long seed, @ForAll boolean gzipped) throws IOException {
        Random random = new Random(seed);
        int real = 1 + random.nextInt(5);
        int count = claimed(real, random);
        byte[] pixels = new byte[real * 4];
        random.nextBytes(pixels);
        byte[] labels = new byte[real];
        for (int i = 0; i < real; i++) {
            labels[i] = (byte) random.nextInt(10);
        }
        byte[] imageFile = concat(header(IdxReader.IMAGES_MAGIC, count, 2, 2), pixels);
        byte[] labelFile = concat(header(IdxReader.LABELS_MAGIC, random.nextBoolean() ? count : claimed(real, random)),
                labels);
        FILES.incrementAndGet();
        Path dir = Files.createTempDirectory("idx-labelled");
        Path images = Files.write(dir.resolve("t-images-idx3-ubyte"), gzipped ? gzip(imageFile) : imageFile);
        Path labelsPath = Files.write(dir.resolve("t-labels-idx1-ubyte"), gzipped ? gzip(labelFile) : labelFile);
        try {
            InMemoryDataSet set = IdxReader.load(images, labelsPath, DIGITS, BYTES, Integer.MAX_VALUE);
            assertEquals(count, set.size());
            assertTrue(count <= real, "never more than was written");
            LOADED.incrementAndGet();
        } catch (DataException e) {
            REFUSED.incrementAndGet();
            assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
        } catch (Throwable t) {
            fail("count " + count + " (" + real + " written)" + (gzipped ? " gzipped" : "") + ": " + t, t);
        } finally {
            Files.delete(images);
            Files.delete(labelsPath);
            Files.delete(dir);
        }
    }

    @Property(tries = 40, seed = "20261206")
    void imagesOfUnknownLengthGrowWithTheDataThere(@ForAll @IntRange(min = 1, max = 40) int count,
                                                  @ForAll @IntRange(min = 1, max = 50) int pixels,
                                                  @ForAll @IntRange(min = 1, max = 200) int initialValues,
                                                  @ForAll long seed) {
        FILES.incrementAndGet();
        byte[] data = new byte[count * pixels];
        new Random(seed).nextBytes(data);
        try (IdxReader.IdxFile file = IdxReader.IdxFile.of(new ByteArrayInputStream(data), "s", "images", -1)) {
            INDArray features = file.readImages(count, pixels, BYTES, initialValues);
            assertEquals(count, features.rows());
            float[] values = features.reshape((long) count * pixels).toFloatVector();
            for (int i = 0; i < data.length; i++) {
                assertEquals((data[i] & 0xff) / 255f, values[i], 1e-7, "value " + i);
            }
            LOADED.incrementAndGet();
        }
    }
}
