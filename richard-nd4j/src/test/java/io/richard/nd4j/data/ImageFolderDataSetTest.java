package io.richard.nd4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import io.richard.api.DataException;
import io.richard.api.Shape;
import io.richard.api.spec.DataSpec;
import io.richard.api.spec.Normalization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderDataSetTest {

    private static final Normalization BYTES = new Normalization(0, 255);

    @TempDir
    Path dir;

    /** A 3×2 RGB image whose pixel (x, y) is (r, g, b) = (10x + y, 100 + x, 200 + y). */
    private static BufferedImage rgb() {
        BufferedImage image = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 3; x++) {
                image.setRGB(x, y, (10 * x + y) << 16 | (100 + x) << 8 | (200 + y));
            }
        }
        return image;
    }

    private static BufferedImage grey(int w, int h, int value) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.getRaster().setSample(x, y, 0, value + x + w * y);
            }
        }
        return image;
    }

    private Path write(BufferedImage image, String path, String format) throws IOException {
        Path file = dir.resolve(path);
        Files.createDirectories(file.getParent());
        assertTrue(ImageIO.write(image, format, file.toFile()));
        return file;
    }

    @Test
    void rgbImagesAreChannelPlanarRgbTopRowFirst() throws IOException {
        for (String format : List.of("png", "bmp")) {
            Path file = write(rgb(), "rgb." + format, format);
            float[] values = ImageFolderDataSet.readImage(file, new Shape(3, 2, 3), BYTES, false);
            float[] expected = new float[18];
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 3; x++) {
                    expected[y * 3 + x] = (10 * x + y) / 255f;
                    expected[6 + y * 3 + x] = (100 + x) / 255f;
                    expected[12 + y * 3 + x] = (200 + y) / 255f;
                }
            }
            assertArrayEquals(expected, values, 1e-6f, format);
        }
    }

    @Test
    void greyImagesAreOneChannelOrRepeatedForThree() throws IOException {
        Path file = write(grey(2, 2, 50), "grey.png", "png");
        assertArrayEquals(new float[] {50, 51, 52, 53},
                ImageFolderDataSet.readImage(file, new Shape(2, 2, 1), new Normalization(0, 1), false));
        assertArrayEquals(new float[] {50, 51, 52, 53, 50, 51, 52, 53, 50, 51, 52, 53},
                ImageFolderDataSet.readImage(file, new Shape(2, 2, 3), new Normalization(0, 1), false));
        BufferedImage greyRgb = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        greyRgb.setRGB(0, 0, 0x404040);
        greyRgb.setRGB(1, 0, 0x808080);
        Path greyBmp = write(greyRgb, "grey24.bmp", "bmp");
        assertArrayEquals(new float[] {64, 128},
                ImageFolderDataSet.readImage(greyBmp, new Shape(2, 1, 1), new Normalization(0, 1), false));
    }

    @Test
    void colourImageForDepthOneIsAnError() throws IOException {
        Path file = write(rgb(), "rgb.png", "png");
        String message = assertThrows(DataException.class,
                () -> ImageFolderDataSet.readImage(file, new Shape(3, 2, 1), BYTES, false)).getMessage();
        assertTrue(message.startsWith(file + ": colour image"), message);
    }

    @Test
    void wrongSizeIsAnErrorUnlessResized() throws IOException {
        Path file = write(grey(4, 4, 0), "big.png", "png");
        String message = assertThrows(DataException.class,
                () -> ImageFolderDataSet.readImage(file, new Shape(2, 2, 1), BYTES, false)).getMessage();
        assertEquals(file + ": image is 4×4 but data.shape [2, 2, 1] needs 2×2; resize the images or allow resizing"
                + " (training.resize: true, --resize)", message);
        BufferedImage flat = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < 16; i++) {
            flat.getRaster().setSample(i % 4, i / 4, 0, 128);
        }
        Path uniform = write(flat, "flat.png", "png");
        assertArrayEquals(new float[] {128, 128, 128, 128},
                ImageFolderDataSet.readImage(uniform, new Shape(2, 2, 1), new Normalization(0, 1), true));
        assertEquals(27, ImageFolderDataSet.readImage(write(rgb(), "rgb.png", "png"), new Shape(3, 3, 3), BYTES,
                true).length);
    }

    /** A flat shape [W·H, 1, D], as the reference README's [784, 1, 1] for MNIST digits, takes W × H images. */
    @Test
    void flatShapeTakesImagesOfAsManyPixels() throws IOException {
        Path file = write(grey(3, 2, 10), "flat.png", "png");
        assertArrayEquals(new float[] {10, 11, 12, 13, 14, 15},
                ImageFolderDataSet.readImage(file, new Shape(6, 1, 1), new Normalization(0, 1), false));
        assertEquals(file + ": image is 3×2 (6 pixels) but data.shape [5, 1, 1] needs 5 pixels",
                assertThrows(DataException.class, () -> ImageFolderDataSet.readImage(file, new Shape(5, 1, 1),
                        new Normalization(0, 1), true)).getMessage());
    }

    @Test
    void notAnImageIsAnError() throws IOException {
        Path file = dir.resolve("notes.txt");
        Files.writeString(file, "hello");
        assertEquals(file + ": not an image that can be read (PNG, JPEG, BMP or GIF expected)",
                assertThrows(DataException.class,
                        () -> ImageFolderDataSet.readImage(file, new Shape(1, 1, 1), BYTES, false)).getMessage());
    }

    @Test
    void folderIsReadRoundRobinInNameOrder() throws IOException {
        write(grey(2, 2, 0), "set/a/2.png", "png");
        write(grey(2, 2, 10), "set/a/1.png", "png");
        write(grey(2, 2, 20), "set/a/3.png", "png");
        write(grey(2, 2, 100), "set/b/x.png", "png");
        Files.writeString(dir.resolve("set/b/.DS_Store"), "ignored");
        DataSpec data = new DataSpec(List.of("a", "b"), new Shape(2, 2, 1), new Normalization(0, 1));
        ImageFolderDataSet set = ImageFolderDataSet.load(dir.resolve("set"), data, false, 2, Integer.MAX_VALUE);
        assertEquals(4, set.size());
        assertArrayEquals(new int[] {0, 1, 0, 0}, set.inMemory().labels());
        assertEquals(List.of(dir.resolve("set/a/1.png"), dir.resolve("set/b/x.png"), dir.resolve("set/a/2.png"),
                dir.resolve("set/a/3.png")), set.files());
        float[][] values = set.inMemory().features().toFloatMatrix();
        assertEquals(10, values[0][0]);
        assertEquals(100, values[1][0]);
        assertEquals(0, values[2][0]);
        assertEquals(23, values[3][3]);
        assertEquals(2, ImageFolderDataSet.load(dir.resolve("set"), data, false, 1, 2).size());
    }

    @Test
    void missingOrEmptyClassFoldersAreErrors() throws IOException {
        write(grey(2, 2, 0), "set/a/1.png", "png");
        DataSpec data = new DataSpec(List.of("a", "b"), new Shape(2, 2, 1), new Normalization(0, 1));
        String missing = assertThrows(DataException.class,
                () -> ImageFolderDataSet.load(dir.resolve("set"), data)).getMessage();
        assertTrue(missing.startsWith(dir.resolve("set/b") + ": no such directory"), missing);
        Files.createDirectories(dir.resolve("set/b"));
        assertEquals(dir.resolve("set/b") + ": the folder of class 'b' holds no images",
                assertThrows(DataException.class, () -> ImageFolderDataSet.load(dir.resolve("set"), data)).getMessage());
        assertEquals(dir.resolve("nope") + ": no such directory",
                assertThrows(DataException.class, () -> ImageFolderDataSet.load(dir.resolve("nope"), data)).getMessage());
    }

    @Test
    void badImageInAFolderNamesTheFile() throws IOException {
        write(grey(2, 2, 0), "set/a/1.png", "png");
        write(grey(3, 2, 0), "set/b/odd.png", "png");
        DataSpec data = new DataSpec(List.of("a", "b"), new Shape(2, 2, 1), new Normalization(0, 1));
        String message = assertThrows(DataException.class,
                () -> ImageFolderDataSet.load(dir.resolve("set"), data)).getMessage();
        assertTrue(message.startsWith(dir.resolve("set/b/odd.png") + ": image is 3×2"), message);
    }
}
