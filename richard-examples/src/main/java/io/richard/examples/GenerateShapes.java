package io.richard.examples;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Writes a small image-folder data set in the reference's cat/dog layout, {@code <dir>/<split>/<class>/<n>.png}:
 * 16×16 RGB pictures of horizontal ({@code horizontal}) or vertical ({@code vertical}) stripes of random width,
 * phase and colours, with pixel noise. The same arguments always write the same bytes,
 * so the set shipped in {@code richard-examples/data/shapes} can be regenerated and checked.
 *
 * <pre>mvn -q -pl richard-examples exec:java -Dexec.mainClass=io.richard.examples.GenerateShapes \
 *     -Dexec.args="richard-examples/data/shapes"</pre>
 *
 * Arguments (all optional): the output directory (default {@code data/shapes}), images per class in the
 * training split (default 200) and in the test split (default 50).
 */
public final class GenerateShapes {

    /** The class folders, in the order of the config's {@code data.classes}. */
    public static final List<String> CLASSES = List.of("horizontal", "vertical");
    /** Image width and height in pixels. */
    public static final int SIZE = 16;

    private static final long SEED = 20241126L;

    private GenerateShapes() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args.length > 0 ? args[0] : "data/shapes");
        int train = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int test = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        generate(dir, train, test);
        System.out.printf("wrote %d training and %d test images per class (%s) under %s%n", train, test, CLASSES,
                dir.toAbsolutePath().normalize());
    }

    /** Writes {@code dir/train/<class>/<n>.png} and {@code dir/test/<class>/<n>.png}. */
    public static void generate(Path dir, int trainPerClass, int testPerClass) {
        Random random = new Random(SEED);                       // one stream for everything: reproducible
        writeSplit(dir.resolve("train"), trainPerClass, random);
        writeSplit(dir.resolve("test"), testPerClass, random);
    }

    private static void writeSplit(Path dir, int perClass, Random random) {
        for (int n = 0; n < perClass; n++) {
            for (int c = 0; c < CLASSES.size(); c++) {           // interleaved, like the reference's cat/dog set
                Path file = dir.resolve(CLASSES.get(c)).resolve(String.format("%03d.png", n));
                write(draw(c, random), file);
            }
        }
    }

    /** One picture of class {@code c}: 0 horizontal stripes, 1 vertical stripes, 1 to 3 pixels wide. */
    static BufferedImage draw(int c, Random random) {
        BufferedImage image = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        Color dark = randomColor(random, 0, 110);               // one dark and one bright colour: always visible
        Color bright = randomColor(random, 140, 255);
        int width = 1 + random.nextInt(3);
        int phase = random.nextInt(2 * width);
        for (int py = 0; py < SIZE; py++) {
            for (int px = 0; px < SIZE; px++) {
                int along = c == 0 ? py : px;                   // horizontal stripes change along y
                Color color = ((along + phase) / width) % 2 == 0 ? dark : bright;
                int r = noisy(color.getRed(), random);          // pixel noise, ±24 per channel
                int g = noisy(color.getGreen(), random);
                int b = noisy(color.getBlue(), random);
                image.setRGB(px, py, (r << 16) | (g << 8) | b);
            }
        }
        return image;
    }

    private static Color randomColor(Random random, int low, int high) {
        return new Color(low + random.nextInt(high - low + 1), low + random.nextInt(high - low + 1),
                low + random.nextInt(high - low + 1));
    }

    private static int noisy(int value, Random random) {
        return Math.max(0, Math.min(255, value + random.nextInt(49) - 24));
    }

    private static void write(BufferedImage image, Path file) {
        try {
            Files.createDirectories(file.getParent());
            if (!ImageIO.write(image, "png", file.toFile())) {
                throw new IllegalStateException("no PNG writer available");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
