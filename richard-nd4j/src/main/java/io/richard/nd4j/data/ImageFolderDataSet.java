package io.richard.nd4j.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import io.richard.api.DataException;
import io.richard.api.Quote;
import io.richard.api.Shape;
import io.richard.api.spec.DataSpec;
import io.richard.api.spec.Normalization;

/**
 * Labelled images from a folder with one sub-folder per class, named exactly as in {@code data.classes}:
 * {@code DIR/cat/*.png}, {@code DIR/dog/*.jpg}, … PNG, JPEG, BMP (and GIF) files are decoded with ImageIO.
 *
 * <p>Sample values: each pixel channel value (0–255) becomes (x − min) / (max − min) with the config's
 * {@link Normalization}, stored channel-planar like the reference (index c·W·H + y·W + x) in <b>RGB</b> order,
 * <b>top row first</b>. This differs from the reference, whose BMP reader yields B, G, R with the bottom row first;
 * a network trained on the reference's image samples sees its colour channels and rows in the other order. A
 * greyscale image is one channel when {@code data.shape} has depth 1 (a colour file whose pixels are all grey,
 * such as the reference's grey 24-bit BMPs, counts as grey) and is repeated into three channels for depth 3; a
 * colour image needs depth 3. Alpha is ignored.
 *
 * <p>Every image must be W × H of {@code data.shape}; one that is not is an error naming the file, unless
 * resizing is asked for, which scales it bilinearly (Java2D) to W × H. A flat shape {@code [N, 1, D]} (for a
 * dense first layer, like the reference README's {@code [784, 1, 1]} for 28 × 28 digits) takes any image of N
 * pixels, in the same order.
 *
 * <p>Order: round-robin across the classes in {@code data.classes} order (one image of class 0, one of class 1, …,
 * then the next of each, classes that run out dropping out), as the reference; within a folder files are taken
 * in name order, so the order is the same on every machine (the reference's is the file system's). Hidden files
 * (names starting with '.') and sub-folders are skipped; every other file must be an image. Each class folder
 * must exist and hold at least one image.
 *
 * <p>Loading: images are decoded in chunks of {@code fetchSize} by a background thread while the calling thread
 * moves the previous chunk into ND4J memory; the whole set is then held in memory as an {@link InMemoryDataSet}.
 */
public final class ImageFolderDataSet extends InMemoryBacked {

    private final Path directory;
    private final List<Path> files;
    private final InMemoryDataSet samples;

    private ImageFolderDataSet(Path directory, List<Path> files, InMemoryDataSet samples) {
        this.directory = directory;
        this.files = files;
        this.samples = samples;
    }

    /** Reads every image under {@code directory} for a model's {@code data} section, without resizing. */
    public static ImageFolderDataSet load(Path directory, DataSpec data) {
        return load(directory, data, false, CsvDataSet.DEFAULT_FETCH_SIZE, Integer.MAX_VALUE);
    }

    /**
     * Reads the first {@code limit} images, in round-robin order, under {@code directory}.
     *
     * @param resize    scale images of another size to W × H instead of rejecting them
     * @param fetchSize images per chunk decoded ahead by the background reader, at least 1
     * @param limit     the largest number of samples to read, at least 1; {@link Integer#MAX_VALUE} for all
     * @throws DataException naming the folder or file of the first problem
     */
    public static ImageFolderDataSet load(Path directory, DataSpec data, boolean resize, int fetchSize, int limit) {
        Objects.requireNonNull(data, "data");
        if (fetchSize <= 0) {
            throw new IllegalArgumentException("fetch size must be positive, got " + fetchSize);
        }
        if (limit <= 0) {
            throw new IllegalArgumentException("sample limit must be positive, got " + limit);
        }
        List<Sample> listed = list(directory, data.classes());
        List<Sample> chosen = listed.subList(0, Math.min(limit, listed.size()));
        Shape shape = data.shape();
        int n = shape.size();
        int[] next = {0};
        CsvDataSet.ChunkedReader.Source source = (values, labels, max) -> {
            int count = 0;
            while (count < max && next[0] < chosen.size()) {
                Sample sample = chosen.get(next[0]++);
                float[] image = readImage(sample.file(), shape, data.normalization(), resize);
                System.arraycopy(image, 0, values, count * n, n);
                labels[count++] = sample.classIndex();
            }
            return count;
        };
        InMemoryDataSet samples = CsvDataSet.ChunkedReader.read(source, fetchSize, chosen.size(), data.classes(),
                shape, "richard-image-reader", () -> { });
        List<Path> files = chosen.stream().map(Sample::file).toList();
        return new ImageFolderDataSet(directory, files, samples);
    }

    /**
     * One image of the folder: its file and class index.
     *
     * @param file       the image file
     * @param classIndex the index of its class in {@code data.classes}
     */
    public record Sample(Path file, int classIndex) {
    }

    /**
     * The images under {@code directory} in the order they are read: round-robin across {@code classes}, name
     * order within a class folder.
     *
     * @throws DataException if the folder or a class folder is missing or a class folder holds no files
     */
    public static List<Sample> list(Path directory, List<String> classes) {
        if (!Files.exists(directory)) {
            throw new DataException(directory + ": no such directory");
        }
        if (!Files.isDirectory(directory)) {
            throw new DataException(directory + ": is not a directory; an image data set is a folder with one"
                    + " sub-folder per class");
        }
        List<List<Path>> perClass = new ArrayList<>();
        for (String label : classes) {
            Path folder = directory.resolve(label);
            if (label.isEmpty() || label.contains("/") || label.contains("\\") || label.equals(".")
                    || label.equals("..")) {
                throw new DataException(directory + ": class " + Quote.single(label) + " cannot be a folder name");
            }
            if (!Files.isDirectory(folder)) {
                throw new DataException(folder + ": no such directory; an image data set needs one sub-folder per"
                        + " class of data.classes " + CsvDataSet.abbreviate(classes));
            }
            List<Path> files = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
                for (Path entry : entries) {
                    if (!entry.getFileName().toString().startsWith(".") && Files.isRegularFile(entry)) {
                        files.add(entry);
                    }
                }
            } catch (IOException e) {
                throw new DataException(folder + ": cannot list the folder: " + e.getMessage(), e);
            }
            if (files.isEmpty()) {
                throw new DataException(folder + ": the folder of class " + Quote.single(label) + " holds no images");
            }
            Collections.sort(files);
            perClass.add(files);
        }
        List<Sample> order = new ArrayList<>();
        int longest = perClass.stream().mapToInt(List::size).max().orElse(0);
        for (int i = 0; i < longest; i++) {
            for (int c = 0; c < perClass.size(); c++) {
                if (i < perClass.get(c).size()) {
                    order.add(new Sample(perClass.get(c).get(i), c));
                }
            }
        }
        return order;
    }

    /** The most pixels an image may declare before it is decoded (2^28: 1 GB as 32-bit pixels). */
    static final long MAX_PIXELS = 1L << 28;

    /**
     * Decodes the first image of a stream, after checking the size its header declares against
     * {@link #MAX_PIXELS} and the free heap, so that a small file declaring a huge image is refused before the
     * decoder allocates it; null if no reader knows the format.
     */
    private static BufferedImage decode(ImageInputStream stream, String name) throws IOException {
        if (stream == null) {
            return null;
        }
        Iterator<ImageReader> readers = ImageIO.getImageReaders(stream);
        if (!readers.hasNext()) {
            return null;
        }
        ImageReader reader = readers.next();
        try {
            reader.setInput(stream, true, true);
            long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
            Runtime runtime = Runtime.getRuntime();
            long heapFree = runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory());
            long max = Math.min(MAX_PIXELS, heapFree / 8);
            if (pixels > max) {
                throw new DataException(name + ": the image declares " + reader.getWidth(0) + "×"
                        + reader.getHeight(0) + " pixels, more than the " + String.format(java.util.Locale.ROOT, "%,d",
                        max) + " richard decodes" + (max < MAX_PIXELS ? " with the Java heap free now (give Java"
                        + " more with RICHARD_JAVA_OPTS=-Xmx8g)" : ""));
            }
            return reader.read(0);
        } finally {
            reader.dispose();
        }
    }

    /** Whether a file starts like a PNG, JPEG, BMP or GIF image. */
    public static boolean looksLikeImage(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return looksLikeImage(in.readNBytes(4));
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether the first bytes of a file are those of a PNG, JPEG, BMP or GIF image. */
    public static boolean looksLikeImage(byte[] head) {
        if (head.length < 2) {
            return false;
        }
        int b0 = head[0] & 0xff;
        int b1 = head[1] & 0xff;
        return b0 == 0x89 && b1 == 'P'                 // PNG
                || b0 == 0xff && b1 == 0xd8             // JPEG
                || b0 == 'B' && b1 == 'M'               // BMP
                || b0 == 'G' && b1 == 'I';              // GIF
    }

    /**
     * Decodes one image into W·H·D normalised values, channel-planar (index c·W·H + y·W + x), RGB, top row
     * first.
     *
     * @param resize scale an image of another size to W × H (bilinear) instead of rejecting it
     * @throws DataException naming the file when it cannot be decoded, has the wrong size, or has colours when
     *                       the shape has depth 1
     */
    public static float[] readImage(Path file, Shape shape, Normalization normalization, boolean resize) {
        if (!Files.exists(file)) {
            throw new DataException(file + ": no such file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return readImage(in, file.toString(), shape, normalization, resize);
        } catch (NoSuchFileException e) {
            throw new DataException(file + ": no such file");
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * {@link #readImage(Path, Shape, Normalization, boolean)} from a stream read once (a pipe, standard input),
     * named {@code name} in messages.
     */
    public static float[] readImage(InputStream in, String name, Shape shape, Normalization normalization,
                                    boolean resize) {
        int depth = shape.depth();
        if (depth != 1 && depth != 3) {
            throw new DataException(name + ": data.shape " + shape + " has depth " + depth
                    + "; images have depth 1 (greyscale) or 3 (RGB)");
        }
        BufferedImage image;
        try (ImageInputStream stream = ImageIO.createImageInputStream(in)) {
            image = decode(stream, name);
        } catch (IOException e) {
            throw new DataException(name + ": cannot decode the image: " + e.getMessage(), e);
        }
        if (image == null) {
            throw new DataException(name + ": not an image that can be read (PNG, JPEG, BMP or GIF expected)");
        }
        int w = shape.width();
        int h = shape.height();
        boolean grey = image.getColorModel().getNumColorComponents() == 1
                && image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY;
        boolean flat = h == 1 && (long) image.getWidth() * image.getHeight() == w;
        if (flat) {
            // A flat shape [W·H, 1, D] for a dense first layer: the same values in the same order (x, then y).
            w = image.getWidth();
            h = image.getHeight();
        } else if (image.getWidth() != w || image.getHeight() != h) {
            if (h == 1) {
                throw new DataException(name + ": image is " + image.getWidth() + "×" + image.getHeight() + " ("
                        + (long) image.getWidth() * image.getHeight() + " pixels) but data.shape " + shape
                        + " needs " + w + " pixels");
            }
            if (!resize) {
                throw new DataException(name + ": image is " + image.getWidth() + "×" + image.getHeight()
                        + " but data.shape " + shape + " needs " + w + "×" + h
                        + "; resize the images or allow resizing (training.resize: true, --resize)");
            }
            image = scale(image, w, h, grey);
        }
        float min = (float) normalization.min();
        float scale = (float) (1.0 / (normalization.max() - normalization.min()));
        int plane = w * h;
        float[] out = new float[plane * depth];
        if (grey) {
            Raster raster = image.getRaster();
            int bits = image.getColorModel().getComponentSize(0);
            int[] samples = raster.getSamples(0, 0, w, h, 0, new int[plane]);
            float toByte = bits == 8 ? 1f : 255f / ((1 << bits) - 1);
            for (int c = 0; c < depth; c++) {
                for (int i = 0; i < plane; i++) {
                    out[c * plane + i] = (samples[i] * toByte - min) * scale;
                }
            }
            return out;
        }
        int[] argb = image.getRGB(0, 0, w, h, new int[plane], 0, w);
        if (depth == 1) {
            for (int i = 0; i < plane; i++) {
                int r = argb[i] >> 16 & 0xff;
                int g = argb[i] >> 8 & 0xff;
                int b = argb[i] & 0xff;
                if (r != g || g != b) {
                    throw new DataException(name + ": colour image (pixel " + (i % w) + "," + (i / w) + " is RGB "
                            + r + "," + g + "," + b + ") but data.shape " + shape
                            + " has depth 1 (greyscale); use depth 3 or convert the images to greyscale");
                }
                out[i] = (r - min) * scale;
            }
            return out;
        }
        for (int i = 0; i < plane; i++) {
            out[i] = ((argb[i] >> 16 & 0xff) - min) * scale;            // R
            out[plane + i] = ((argb[i] >> 8 & 0xff) - min) * scale;     // G
            out[2 * plane + i] = ((argb[i] & 0xff) - min) * scale;      // B
        }
        return out;
    }

    /** Scales an image to w × h with bilinear interpolation, keeping greyscale images greyscale. */
    private static BufferedImage scale(BufferedImage image, int w, int h, boolean grey) {
        BufferedImage source = image;
        if (grey && image.getType() != BufferedImage.TYPE_BYTE_GRAY) {
            source = toByteGrey(image);
        }
        BufferedImage scaled = new BufferedImage(w, h, grey ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scaled.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(source, 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
        return scaled;
    }

    /** A copy of a greyscale image of any bit depth as 8-bit grey, by the raster values (no colour conversion). */
    private static BufferedImage toByteGrey(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int bits = image.getColorModel().getComponentSize(0);
        int[] samples = image.getRaster().getSamples(0, 0, w, h, 0, new int[w * h]);
        if (bits != 8) {
            int maxValue = (1 << bits) - 1;
            for (int i = 0; i < samples.length; i++) {
                samples[i] = Math.round(samples[i] * 255f / maxValue);
            }
        }
        BufferedImage grey = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSamples(0, 0, w, h, 0, samples);
        return grey;
    }

    /** The folder the images were read from. */
    public Path directory() {
        return directory;
    }

    /** The image files, in sample order. */
    public List<Path> files() {
        return files;
    }

    @Override
    public InMemoryDataSet inMemory() {
        return samples;
    }

    @Override
    public String toString() {
        return "ImageFolderDataSet[" + directory + ", " + size() + " images of shape " + shape() + "]";
    }
}
