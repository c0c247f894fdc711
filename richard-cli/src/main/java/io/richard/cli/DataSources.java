package io.richard.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import io.richard.api.DataException;
import io.richard.api.Shape;
import io.richard.api.data.LabelledDataSet;
import io.richard.api.spec.DataSpec;
import io.richard.nd4j.data.CsvDataSet;
import io.richard.nd4j.data.IdxReader;
import io.richard.nd4j.data.ImageFolderDataSet;
import io.richard.nd4j.data.InMemoryDataSet;

/**
 * Opens a labelled data set from a path, recognising its format:
 * <ul>
 *   <li>a directory holding {@code train-images-idx3-ubyte[.gz]} / {@code t10k-images-idx3-ubyte[.gz]} and their
 *       labels files: the MNIST layout; the train files for training, the t10k files for a test set;</li>
 *   <li>any other directory: an image folder with one sub-folder per class;</li>
 *   <li>a file starting with an IDX magic number (gzipped or not): IDX images, whose labels file is found beside
 *       it by replacing {@code images-idx3} with {@code labels-idx1} in the name;</li>
 *   <li>any other file: the reference's CSV.</li>
 * </ul>
 */
final class DataSources {

    /** What the data set is used for: an MNIST directory gives its train or its t10k files. */
    enum Role { TRAIN, TEST }

    /**
     * A data set and where it came from.
     *
     * @param data        the samples
     * @param format      the format recognised, e.g. "CSV", "image folder", "IDX", "MNIST folder (t10k files)"
     * @param seconds     the time it took to read
     * @param picture     how a sample's values form a picture: the data's shape, or for IDX images given a flat
     *                    shape (MNIST as [784, 1, 1]) the images' own [W, H, 1]
     */
    record Loaded(LabelledDataSet data, String format, double seconds, Shape picture) {
        Loaded(LabelledDataSet data, String format, double seconds) {
            this(data, format, seconds, data.shape());
        }
    }

    /** The kind of a file, from its first bytes. */
    enum FileKind { IDX_IMAGES, IDX_LABELS, IDX_OTHER, IMAGE, OTHER }

    private DataSources() {
    }

    static Loaded load(Path path, DataSpec data, int fetchSize, boolean resize, int limit, Role role) {
        long start = System.nanoTime();
        LabelledDataSet set;
        String format;
        Shape[] picture = {null};
        if (!Input.isStandardInput(path) && !Files.exists(path)) {
            throw new DataException(path + ": no such file or directory");
        }
        if (Files.isDirectory(path)) {
            Optional<Path> images = mnistImages(path, role);
            if (images.isPresent()) {
                set = idx(images.get(), labelsBeside(images.get()), data, limit, picture);
                format = "MNIST folder, " + images.get().getFileName();
            } else {
                set = ImageFolderDataSet.load(path, data, resize, fetchSize, limit);
                format = "image folder";
            }
            return new Loaded(set, format, (System.nanoTime() - start) / 1e9,
                    picture[0] != null ? picture[0] : set.shape());
        }
        try (Input input = Input.open(path, "data file")) {
            String name = input.name();
            switch (kind(input)) {
                case IDX_IMAGES -> {
                    Path images = input.regularFile().orElseThrow(() -> new DataException(name + ": holds IDX"
                            + " images, whose labels are read from the labels file beside the images file; a pipe"
                            + " or standard input has nothing beside it: give the images file's path"));
                    set = idx(images, labelsBeside(images), data, limit, picture);
                    format = "IDX";
                }
                case IDX_LABELS -> throw new DataException(name + ": is an IDX labels file; give the images file"
                        + " (its labels are found beside it)");
                case IDX_OTHER -> throw new DataException(name + ": is an IDX file of " + idxDescription(input)
                        + ", not of images; expected the magic number 0x00000803 (unsigned bytes, 3 dimensions)");
                case IMAGE -> throw new DataException(name + ": is a single image; a labelled data set is a CSV"
                        + " file, an image folder (one sub-folder per class), an IDX images file or an MNIST folder");
                default -> {
                    String fileName = path.getFileName() == null ? "" : path.getFileName().toString();
                    if (fileName.contains("-idx") && fileName.contains("-ubyte")) {
                        throw new DataException(name + ": is named like an IDX file but does not start like one"
                                + " (found " + headText(input) + "; IDX images start with 00 00 08 03)");
                    }
                    if (binary(input)) {
                        throw new DataException(name + ": is neither a CSV text file nor IDX data (it holds binary"
                                + " data, found " + headText(input) + "); expected a CSV file (LABEL,v1,…,vN per line),"
                                + " an image folder, an IDX images file or an MNIST folder");
                    }
                    set = CsvDataSet.load(input.stream(), name, data, fetchSize, limit);
                    format = "CSV";
                }
            }
        }
        return new Loaded(set, format, (System.nanoTime() - start) / 1e9, picture[0] != null ? picture[0] : set.shape());
    }

    /** IDX images as {@code data.shape} says; {@code picture[0]} is set to the images' own [W, H, 1]. */
    private static LabelledDataSet idx(Path images, Path labels, DataSpec data, int limit, Shape[] picture) {
        InMemoryDataSet set = IdxReader.load(images, labels, data.classes(), data.normalization(), limit);
        picture[0] = set.shape();
        if (set.shape().equals(data.shape())) {
            return set;
        }
        if (set.shape().size() != data.shape().size()) {
            throw new DataException(images + ": images are " + set.shape().width() + "×" + set.shape().height()
                    + " (" + set.shape().size() + " values) but data.shape " + data.shape() + " has "
                    + data.shape().size() + " values per sample");
        }
        // Same values in the same order (x fastest, then y): e.g. MNIST's [28, 28, 1] as the README's [784, 1, 1].
        return new InMemoryDataSet(set.features(), set.labels(), set.classes(), data.shape());
    }

    /** The images file of an MNIST directory for a role, if the directory has the MNIST layout. */
    static Optional<Path> mnistImages(Path dir, Role role) {
        Optional<Path> train = find(dir, "train-images-idx3-ubyte");
        Optional<Path> test = find(dir, "t10k-images-idx3-ubyte");
        if (role == Role.TEST) {
            return test.or(() -> train);
        }
        return train.or(() -> test);
    }

    private static Optional<Path> find(Path dir, String name) {
        for (String candidate : List.of(name + ".gz", name)) {
            Path file = dir.resolve(candidate);
            if (Files.isRegularFile(file)) {
                return Optional.of(file);
            }
        }
        return Optional.empty();
    }

    /** The labels file of an IDX images file: the same name with "images-idx3" replaced by "labels-idx1". */
    static Path labelsBeside(Path images) {
        return findLabelsBeside(images).orElseThrow(() -> {
            String name = images.getFileName().toString();
            if (!name.contains("images-idx3")) {
                return new DataException(images + ": cannot find the labels of these IDX images: the file name"
                        + " must contain 'images-idx3', and the labels file the same name with 'labels-idx1'");
            }
            return new DataException(images + ": the labels file "
                    + images.resolveSibling(name.replace("images-idx3", "labels-idx1")) + " does not exist");
        });
    }

    static Optional<Path> findLabelsBeside(Path images) {
        String name = images.getFileName().toString();
        if (!name.contains("images-idx3")) {
            return Optional.empty();
        }
        String labels = name.replace("images-idx3", "labels-idx1");
        String other = labels.endsWith(".gz") ? labels.substring(0, labels.length() - 3) : labels + ".gz";
        for (String candidate : List.of(labels, other)) {
            Path file = images.resolveSibling(candidate);
            if (Files.isRegularFile(file)) {
                return Optional.of(file);
            }
        }
        return Optional.empty();
    }

    /** The first bytes of an input (decompressed if gzipped), gzip's own header otherwise, for messages. */
    private static byte[] head(Input input, int n) {
        byte[] head = input.head();
        if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            try (InputStream gz = new GZIPInputStream(new ByteArrayInputStream(head))) {
                return gz.readNBytes(n);
            } catch (IOException e) {
                return java.util.Arrays.copyOf(head, Math.min(n, head.length));   // not gzip after all
            }
        }
        return java.util.Arrays.copyOf(head, Math.min(n, head.length));
    }

    /** "bytes 50 35 0a 36", or "an empty file". */
    private static String headText(Input input) {
        byte[] head = head(input, 4);
        if (head.length == 0) {
            return "an empty file";
        }
        StringBuilder text = new StringBuilder("bytes");
        for (byte b : head) {
            text.append(String.format(" %02x", b & 0xff));
        }
        return text.toString();
    }

    /** Whether the first 4 KB hold a NUL byte: not a text file. */
    private static boolean binary(Input input) {
        for (byte b : head(input, 4096)) {
            if (b == 0) {
                return true;
            }
        }
        return false;
    }

    /** "int32 values in 3 dimensions (magic number 0x00000c03)" for an IDX header. */
    private static String idxDescription(Input input) {
        byte[] head = head(input, 4);
        String type = switch (head[2]) {
            case 0x08 -> "unsigned bytes";
            case 0x09 -> "signed bytes";
            case 0x0B -> "int16 values";
            case 0x0C -> "int32 values";
            case 0x0D -> "float32 values";
            case 0x0E -> "float64 values";
            default -> "values of unknown type 0x" + String.format("%02x", head[2] & 0xff);
        };
        return type + " in " + head[3] + (head[3] == 1 ? " dimension" : " dimensions") + " (magic number 0x"
                + String.format("%02x%02x%02x%02x", head[0], head[1], head[2] & 0xff, head[3] & 0xff) + ")";
    }

    /** Recognises IDX files (gzipped or not) and images by their first bytes. */
    static FileKind kind(Input input) {
        byte[] head = head(input, 4);
        if (head.length == 4 && head[0] == 0 && head[1] == 0 && head[2] == 0x08) {
            return head[3] == 3 ? FileKind.IDX_IMAGES : head[3] == 1 ? FileKind.IDX_LABELS : FileKind.IDX_OTHER;
        }
        if (head.length == 4 && head[0] == 0 && head[1] == 0 && (head[2] == 0x09 || head[2] >= 0x0B && head[2] <= 0x0E)
                && head[3] >= 1 && head[3] <= 4) {
            return FileKind.IDX_OTHER;                                       // IDX, but not of unsigned bytes
        }
        if (ImageFolderDataSet.looksLikeImage(input.head())) {
            return FileKind.IMAGE;
        }
        return FileKind.OTHER;
    }

    /** Whether a directory has a sub-folder named like one of the classes. */
    static boolean hasClassFolders(Path dir, List<String> classes) {
        for (String label : classes) {
            if (!label.isEmpty() && !label.contains("/") && Files.isDirectory(dir.resolve(label))) {
                return true;
            }
        }
        return false;
    }

    /** The regular, non-hidden files of a directory, sorted by name. */
    static List<Path> files(Path dir) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            List<Path> files = new java.util.ArrayList<>();
            for (Path entry : entries) {
                if (Files.isRegularFile(entry) && !entry.getFileName().toString().startsWith(".")) {
                    files.add(entry);
                }
            }
            files.sort(null);
            return files;
        } catch (IOException e) {
            throw new DataException(dir + ": cannot list the directory: " + e.getMessage(), e);
        }
    }
}
