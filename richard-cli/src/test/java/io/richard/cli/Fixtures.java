package io.richard.cli;

import java.awt.image.BufferedImage;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;

/** Small generated data sets and configs for the command-line tests, and a way to run the command in-process. */
final class Fixtures {

    private Fixtures() {
    }

    /** What a run printed and returned. */
    record Result(int status, String out, String err) {
        @Override
        public String toString() {
            return "status " + status + "\n--- out ---\n" + out + "--- err ---\n" + err;
        }
    }

    /** Runs {@code richard ARGS} in this JVM, capturing standard output and error. */
    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Richard.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(status, out.toString(), err.toString());
    }

    static String[] args(Object... parts) {
        String[] strings = new String[parts.length];
        for (int i = 0; i < parts.length; i++) {
            strings[i] = parts[i].toString();
        }
        return strings;
    }

    /** Two classes of 4 values: a in [0, 4], b in [6, 10]. */
    static final String CSV_CONFIG = """
            data:
              classes: [a, b]
              shape: [2, 2, 1]
              normalization: {min: 0, max: 10}
            dataLoader:
              fetchSize: 7
            classifier:
              network:
                hyperparams: {epochs: 2, batchSize: 1000, miniBatchSize: 4}
                hiddenLayers:
                  - {type: dense, size: 6, learnRate: 0.5}
                outputLayer: {size: 2, learnRate: 0.5}
            training:
              data: train.csv
              test: test.csv
            """;

    /** Writes config.yaml, train.csv (40 rows) and test.csv (10 rows) into {@code dir}; returns the config. */
    static Path csvProject(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("train.csv"), csvRows(40, new Random(1), true));
        Files.writeString(dir.resolve("test.csv"), csvRows(10, new Random(2), true));
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, CSV_CONFIG);
        return config;
    }

    static String csvRows(int n, Random random, boolean labelled) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < n; i++) {
            boolean b = i % 2 == 1;
            if (labelled) {
                text.append(b ? "b" : "a").append(',');
            }
            for (int v = 0; v < 4; v++) {
                double x = (b ? 6 : 0) + 4 * random.nextDouble();
                text.append(String.format(java.util.Locale.ROOT, "%.2f", x)).append(v < 3 ? "," : "\n");
            }
        }
        return text.toString();
    }

    /** A small CNN on 4×4 grey images of two classes, dark and light. */
    static final String IMAGE_CONFIG = """
            data:
              classes: [dark, light]
              shape: [4, 4, 1]
              normalization: {min: 0, max: 255}
            dataLoader:
              fetchSize: 5
            classifier:
              network:
                hyperparams: {epochs: 2, batchSize: 1000, miniBatchSize: 4}
                hiddenLayers:
                  - {type: convolutional, depth: 2, kernelSize: [3, 3], learnRate: 0.1}
                  - {type: maxPooling, regionSize: [2, 2]}
                outputLayer: {size: 2, learnRate: 0.5}
            training:
              data: images/train
              test: images/test
            """;

    /** Writes config.yaml and images/{train,test}/{dark,light}/*.png into {@code dir}; returns the config. */
    static Path imageProject(Path dir) throws IOException {
        Random random = new Random(3);
        for (String set : new String[] {"train", "test"}) {
            int n = set.equals("train") ? 8 : 3;
            for (String label : new String[] {"dark", "light"}) {
                Path folder = dir.resolve("images").resolve(set).resolve(label);
                Files.createDirectories(folder);
                for (int i = 0; i < n; i++) {
                    writePng(folder.resolve(label + "-" + i + ".png"), 4, 4, label.equals("dark") ? 0 : 170, random);
                }
            }
        }
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, IMAGE_CONFIG);
        return config;
    }

    /** A grey PNG with values in [base, base + 85). */
    static void writePng(Path file, int w, int h, int base, Random random) throws IOException {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.getRaster().setSample(x, y, 0, base + random.nextInt(85));
            }
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        ImageIO.write(image, "png", file.toFile());
    }

    /** A dense network on 6×6 IDX images of the digits 0 and 1, read as [36, 1, 1]. */
    static final String IDX_CONFIG = """
            data:
              classes: ["0", "1"]
              shape: [36, 1, 1]
              normalization: {min: 0, max: 255}
            dataLoader:
              fetchSize: 16
            classifier:
              network:
                hyperparams: {epochs: 2, batchSize: 1000, miniBatchSize: 4}
                hiddenLayers:
                  - {type: dense, size: 5, learnRate: 0.5}
                outputLayer: {size: 2, learnRate: 0.5}
            training:
              data: mnist
              test: mnist
            """;

    /** Writes config.yaml and an MNIST-layout folder mnist/ (gzipped IDX, 30 train and 10 t10k images). */
    static Path idxProject(Path dir) throws IOException {
        Path mnist = dir.resolve("mnist");
        Files.createDirectories(mnist);
        writeIdx(mnist, "train", 30, new Random(4));
        writeIdx(mnist, "t10k", 10, new Random(5));
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, IDX_CONFIG);
        return config;
    }

    /** PREFIX-images-idx3-ubyte.gz and PREFIX-labels-idx1-ubyte.gz: label 0 dark, 1 bright, alternating. */
    static void writeIdx(Path dir, String prefix, int n, Random random) throws IOException {
        try (DataOutputStream images = gzip(dir.resolve(prefix + "-images-idx3-ubyte.gz"));
             DataOutputStream labels = gzip(dir.resolve(prefix + "-labels-idx1-ubyte.gz"))) {
            images.writeInt(0x00000803);
            images.writeInt(n);
            images.writeInt(6);
            images.writeInt(6);
            labels.writeInt(0x00000801);
            labels.writeInt(n);
            for (int i = 0; i < n; i++) {
                int label = i % 2;
                labels.writeByte(label);
                for (int p = 0; p < 36; p++) {
                    images.writeByte((label == 0 ? 0 : 170) + random.nextInt(85));
                }
            }
        }
    }

    private static DataOutputStream gzip(Path file) throws IOException {
        OutputStream out = Files.newOutputStream(file);
        return new DataOutputStream(new GZIPOutputStream(out));
    }
}
