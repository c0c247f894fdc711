package io.richard.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import io.richard.api.DataException;
import io.richard.api.Shape;
import io.richard.api.spec.DataSpec;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;

/**
 * Labelled samples read by Spark's executors, in a given number of partitions, never collected to the driver:
 * the reference's CSV (one file, or a folder or glob of CSV files, read in name order, each optionally compressed)
 * or IDX images with their labels (an MNIST folder, or an images file with its labels file beside it, gzipped or
 * not), from any path Spark reads ({@code file://}, {@code hdfs://}, {@code s3a://}, …; a path without a scheme is
 * on Spark's default file system, {@code fs.defaultFS}).
 *
 * <p>The driver reads only the files' sizes and the IDX headers, and plans the parts: each partition reads a range
 * of samples (IDX; an uncompressed file is read from its offset, a gzipped one decompressed from its start) or a
 * byte range of the CSV files (the lines that start in it; a compressed file is one part), and normalises its
 * values on the executor with the single-machine readers' arithmetic, so that one partition holds exactly the
 * values {@code richard train} reads on one machine, in the same order. Partition p holds samples before those of
 * partition p + 1. {@link #read} then runs one job that reads every part and reports the first problem (naming
 * the file and line or record) or the number of samples of each partition.
 *
 * <p>How the samples stay between training rounds is the {@link Cache}.
 */
public final class SparkDataSet implements AutoCloseable {

    /** Which files of an MNIST folder: {@code train-*} for training, {@code t10k-*} for a test set. */
    public enum Role { TRAIN, TEST }

    /** How the samples are kept between rounds. */
    public enum Cache {
        /**
         * Each executor keeps its partitions' samples as ND4J arrays (off the Java heap: count them in
         * {@code spark.executor.memoryOverhead}) for the whole run: the fastest. On a cluster the parts are also
         * kept on the executors' local disks, so that every round's task of a partition goes to the executor
         * holding it, and a lost executor's partitions are read again from there (in local mode: from the files).
         */
        MEMORY,
        /** Spark keeps the normalised samples serialised (memory, then disk); every round rebuilds the arrays. */
        SERIALIZED,
        /** Nothing is kept: every round reads the files again (for data larger than the cluster's memory). */
        NONE;

        /** {@code memory}, {@code serialized} or {@code none}. */
        public static Cache parse(String text) {
            for (Cache c : values()) {
                if (c.name().equalsIgnoreCase(text.trim())) {
                    return c;
                }
            }
            throw new IllegalArgumentException("cache " + io.richard.api.Quote.single(text)
                    + " is not valid; expected memory, serialized or none");
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final String id;
    private final JavaSparkContext sc;
    private final String location;
    private final String format;
    private final DataLayout layout;
    private final Cache cache;
    private final JavaRDD<SampleBlock> blocks;
    private final int[] sizes;
    private final double seconds;

    private SparkDataSet(String id, JavaSparkContext sc, String location, String format, DataLayout layout,
                         Cache cache, JavaRDD<SampleBlock> blocks, int[] sizes, double seconds) {
        this.id = id;
        this.sc = sc;
        this.location = location;
        this.format = format;
        this.layout = layout;
        this.cache = cache;
        this.blocks = blocks;
        this.sizes = sizes;
        this.seconds = seconds;
    }

    /**
     * Reads the samples at {@code location} in {@code partitions} partitions (at most {@code limit}, the first
     * ones), checking every part on the executors.
     *
     * @throws DataException one line naming the location, file and line or record of the first problem: a path
     *                       that does not exist or cannot be reached, a file that is not CSV or IDX, rows that do
     *                       not match {@code data.shape}, labels that are not classes, truncated files, no samples
     */
    public static SparkDataSet read(JavaSparkContext sc, String location, DataSpec data, Role role, int partitions,
                                    int limit, Cache cache) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("the sample limit must be at least 1, got " + limit);
        }
        long start = System.nanoTime();
        DataLayout layout = DataLayout.of(data);
        Configuration conf = sc.hadoopConfiguration();
        Plan plan;
        try {
            plan = plan(conf, location, layout, role, partitions, limit);
        } catch (DataException e) {
            throw new DataException(shown(e.getMessage(), location));
        }
        Broadcast<HadoopConf> hadoop = sc.broadcast(new HadoopConf(conf));
        JavaRDD<SampleBlock> raw = sc.parallelize(plan.parts(), plan.parts().size())
                .mapPartitions(new ReadParts(hadoop, layout));
        StorageLevel level = switch (cache) {
            case MEMORY -> sc.sc().isLocal() ? StorageLevel.NONE() : StorageLevel.DISK_ONLY();
            case SERIALIZED -> StorageLevel.MEMORY_AND_DISK_SER();
            case NONE -> StorageLevel.NONE();
        };
        if (level != StorageLevel.NONE()) {
            raw.persist(level);
        }
        String id = UUID.randomUUID().toString();
        List<PartCount> counts = raw.mapPartitionsWithIndex(new Count(id, cache, layout), true).collect();
        int[] sizes = new int[plan.parts().size()];
        String error = null;
        for (PartCount count : counts) {                              // in partition order
            sizes[count.partition()] = count.rows();
            if (error == null && count.error() != null) {
                error = count.error();
            }
        }
        SparkDataSet set = new SparkDataSet(id, sc, location, plan.format(), layout, cache, raw, sizes, 0);
        if (error != null) {
            set.close();
            throw new DataException(shown(error, location));
        }
        long total = 0;
        for (int p = 0; p < sizes.length; p++) {
            long room = Math.max(0, limit - total);
            total += sizes[p];
            sizes[p] = (int) Math.min(sizes[p], room);               // the first `limit` samples (CSV: counted here)
        }
        if (total == 0) {
            set.close();
            throw new DataException(location + ": no samples (" + plan.format() + "); expected "
                    + (plan.format().startsWith("CSV") ? "lines LABEL,v1,…,v" + layout.values() : "images"));
        }
        return new SparkDataSet(id, sc, location, plan.format(), layout, cache, raw, sizes,
                (System.nanoTime() - start) / 1e9);
    }

    /**
     * A message as the user names the files: Hadoop writes a local file {@code file:/data/x.csv}; a location given
     * as a path (no scheme) gets its files named as paths too.
     */
    private static String shown(String message, String location) {
        return location.startsWith("file:") ? message : message.replace("file:/", "/");
    }

    /** A partition's count of samples, or the first problem of its part. */
    record PartCount(int partition, int rows, String error) implements java.io.Serializable {
    }

    /** The key of this data set's partitions in the executors' caches. */
    String id() {
        return id;
    }

    /** Number of samples (after the limit). */
    public int size() {
        int total = 0;
        for (int s : sizes) {
            total += s;
        }
        return total;
    }

    /** The samples of each partition, in partition order. */
    public int[] partitionSizes() {
        return sizes.clone();
    }

    public int partitions() {
        return sizes.length;
    }

    /** What was read, e.g. "MNIST folder, train-images-idx3-ubyte.gz" or "CSV, 3 files". */
    public String format() {
        return format;
    }

    public String location() {
        return location;
    }

    /** The time {@link #read} took (planning, reading and checking every part). */
    public double seconds() {
        return seconds;
    }

    public List<String> classes() {
        return layout.classes();
    }

    public Shape shape() {
        return layout.shape();
    }

    public Cache cache() {
        return cache;
    }

    JavaSparkContext context() {
        return sc;
    }

    DataLayout layout() {
        return layout;
    }

    JavaRDD<SampleBlock> blocks() {
        return blocks;
    }

    /**
     * Frees what the executors keep for this data set: their ND4J copies of its samples and the networks that
     * trained or evaluated on it (best effort: one task per partition, on the executor Spark chooses), and
     * Spark's cached blocks.
     */
    @Override
    public void close() {
        try {
            if (!sc.sc().isStopped()) {
                blocks.foreachPartition(new Evict(id() + "/"));
            }
        } finally {
            blocks.unpersist(false);
        }
    }

    @Override
    public String toString() {
        return "SparkDataSet[" + location + ", " + format + ", " + size() + " samples in " + sizes.length
                + " partitions " + Arrays.toString(sizes) + ", cache " + cache + "]";
    }

    // ---------------------------------------------------------------------------------------------------------
    // On the executors

    /** Reads a partition's part (one per partition). */
    private static final class ReadParts implements FlatMapFunction<Iterator<SamplePart>, SampleBlock> {
        private static final long serialVersionUID = 1L;
        private final Broadcast<HadoopConf> hadoop;
        private final DataLayout layout;

        ReadParts(Broadcast<HadoopConf> hadoop, DataLayout layout) {
            this.hadoop = hadoop;
            this.layout = layout;
        }

        /**
         * Reads when the blocks are first asked for, not before: a round's task that finds its partition's samples
         * kept on its executor never asks, and then nothing is read (Spark computes the partition's iterator for
         * every task all the same).
         */
        @Override
        public Iterator<SampleBlock> call(Iterator<SamplePart> parts) {
            return new Iterator<>() {
                private Iterator<SampleBlock> blocks;

                private Iterator<SampleBlock> blocks() {
                    if (blocks == null) {
                        List<SampleBlock> read = new ArrayList<>();
                        while (parts.hasNext()) {
                            read.addAll(parts.next().read(hadoop.value().get(), layout));
                        }
                        blocks = read.iterator();
                    }
                    return blocks;
                }

                @Override
                public boolean hasNext() {
                    return blocks().hasNext();
                }

                @Override
                public SampleBlock next() {
                    return blocks().next();
                }
            };
        }
    }

    /** Counts a partition's samples or finds its problem; with the MEMORY cache, keeps the samples on the executor. */
    private static final class Count implements Function2<Integer, Iterator<SampleBlock>, Iterator<PartCount>> {
        private static final long serialVersionUID = 1L;
        private final String id;
        private final Cache cache;
        private final DataLayout layout;

        Count(String id, Cache cache, DataLayout layout) {
            this.id = id;
            this.cache = cache;
            this.layout = layout;
        }

        @Override
        public Iterator<PartCount> call(Integer partition, Iterator<SampleBlock> blocks) {
            List<SampleBlock> all = new ArrayList<>();
            int rows = 0;
            while (blocks.hasNext()) {
                SampleBlock block = blocks.next();
                if (block.error() != null) {
                    return List.of(new PartCount(partition, 0, block.error())).iterator();
                }
                rows += block.size();
                all.add(block);
            }
            if (cache == Cache.MEMORY && rows > 0) {
                PartitionCache.putData(id, partition, PartitionCache.dataSet(all, layout));
            }
            return List.of(new PartCount(partition, rows, null)).iterator();
        }
    }

    /** Drops what an executor keeps under a prefix. */
    static final class Evict implements org.apache.spark.api.java.function.VoidFunction<Iterator<SampleBlock>> {
        private static final long serialVersionUID = 1L;
        private final String prefix;

        Evict(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public void call(Iterator<SampleBlock> blocks) {
            PartitionCache.evict(prefix);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // On the driver: what to read

    /** The parts, one per partition, and the format found. */
    record Plan(List<SamplePart> parts, String format) {
    }

    static Plan plan(Configuration conf, String location, DataLayout layout, Role role, int partitions, int limit) {
        if (location == null || location.isBlank()) {
            throw new DataException("no data location given");
        }
        Path path = new Path(location);
        FileSystem fs;
        FileStatus[] matches;
        try {
            fs = path.getFileSystem(conf);
            matches = fs.globStatus(path);
        } catch (IOException | IllegalArgumentException e) {
            throw new DataException(location + ": cannot be read: " + firstLine(e));
        }
        if (matches == null || matches.length == 0) {
            throw new DataException(location + ": no such file or directory");
        }
        try {
            if (matches.length == 1 && matches[0].isDirectory()) {
                FileStatus dir = matches[0];
                FileStatus[] children = fs.listStatus(dir.getPath());
                String prefix = role == Role.TEST ? "t10k" : "train";
                String other = role == Role.TEST ? "train" : "t10k";
                FileStatus images = mnist(children, prefix + "-images-idx3-ubyte");
                if (images == null) {
                    images = mnist(children, other + "-images-idx3-ubyte");
                }
                if (images != null) {
                    return idx(fs, images.getPath(), layout, partitions, limit,
                            "MNIST folder, " + images.getPath().getName());
                }
                List<FileStatus> files = new ArrayList<>();
                for (FileStatus child : children) {
                    String name = child.getPath().getName();
                    if (name.startsWith(".") || name.startsWith("_")) {
                        continue;                                     // hidden files, _SUCCESS
                    }
                    if (child.isDirectory()) {
                        throw new DataException(location + ": is a folder of folders (an image folder?); on Spark,"
                                + " richard reads CSV files or IDX images (an MNIST folder); an image folder is read"
                                + " by `richard train` on one machine");
                    }
                    files.add(child);
                }
                if (files.isEmpty()) {
                    throw new DataException(location + ": is an empty folder; expected CSV files or an MNIST folder");
                }
                return csv(fs, files, conf, partitions, location);
            }
            List<FileStatus> files = new ArrayList<>();
            for (FileStatus match : matches) {
                if (match.isFile()) {
                    files.add(match);
                }
            }
            if (files.isEmpty()) {
                throw new DataException(location + ": matches only folders; expected CSV files or an MNIST folder");
            }
            if (files.size() == 1) {
                byte[] head = head(fs, files.get(0).getPath(), 4);
                if (head.length == 4 && head[0] == 0 && head[1] == 0 && head[2] == 0x08) {
                    if (head[3] == 3) {
                        return idx(fs, files.get(0).getPath(), layout, partitions, limit, "IDX");
                    }
                    throw new DataException(location + ": is an IDX file but not of images (magic number"
                            + String.format(" 0x%02x%02x%02x%02x", head[0], head[1], head[2], head[3])
                            + "); give the images file (its labels are found beside it)");
                }
            }
            return csv(fs, files, conf, partitions, location);
        } catch (FileNotFoundException e) {
            throw new DataException(location + ": no such file or directory");
        } catch (IOException e) {
            throw new DataException(location + ": cannot be read: " + firstLine(e));
        }
    }

    private static FileStatus mnist(FileStatus[] children, String name) {
        for (String candidate : List.of(name + ".gz", name)) {
            for (FileStatus child : children) {
                if (child.isFile() && child.getPath().getName().equals(candidate)) {
                    return child;
                }
            }
        }
        return null;
    }

    /** IDX images and the labels beside them, in equal ranges of samples. */
    private static Plan idx(FileSystem fs, Path images, DataLayout layout, int partitions, int limit, String format)
            throws IOException {
        String name = images.getName();
        if (!name.contains("images-idx3")) {
            throw new DataException(images + ": cannot find the labels of these IDX images: the file name must"
                    + " contain 'images-idx3', and the labels file the same name with 'labels-idx1'");
        }
        String labelsName = name.replace("images-idx3", "labels-idx1");
        String otherName = labelsName.endsWith(".gz") ? labelsName.substring(0, labelsName.length() - 3)
                : labelsName + ".gz";
        Path labels = null;
        for (String candidate : List.of(labelsName, otherName)) {
            Path file = new Path(images.getParent(), candidate);
            if (fs.exists(file)) {
                labels = file;
                break;
            }
        }
        if (labels == null) {
            throw new DataException(images + ": the labels file " + new Path(images.getParent(), labelsName)
                    + " does not exist");
        }
        byte[] imageHeader = head(fs, images, SamplePart.Idx.IMAGES_HEADER);
        byte[] labelHeader = head(fs, labels, SamplePart.Idx.LABELS_HEADER);
        if (imageHeader.length < 16 || bigEndian(imageHeader, 0) != 0x00000803) {
            throw new DataException("images file " + images + " is not IDX images (expected the magic number"
                    + " 0x00000803 and a 16-byte header)");
        }
        if (labelHeader.length < 8 || bigEndian(labelHeader, 0) != 0x00000801) {
            throw new DataException("labels file " + labels + " is not IDX labels (expected the magic number"
                    + " 0x00000801 and an 8-byte header)");
        }
        long count = bigEndian(imageHeader, 4) & 0xffffffffL;
        long rows = bigEndian(imageHeader, 8) & 0xffffffffL;
        long columns = bigEndian(imageHeader, 12) & 0xffffffffL;
        long labelCount = bigEndian(labelHeader, 4) & 0xffffffffL;
        if (count != labelCount) {
            throw new DataException("images file " + images + " holds " + count + " images but labels file " + labels
                    + " holds " + labelCount + " labels; the counts must be equal");
        }
        if (rows * columns != layout.values()) {
            throw new DataException(images + ": images are " + columns + "×" + rows + " (" + rows * columns
                    + " values) but data.shape " + layout.shape() + " has " + layout.values() + " values per sample");
        }
        if (count == 0) {
            throw new DataException("images file " + images + " holds no images");
        }
        boolean imagesGz = gzipped(fs, images);
        boolean labelsGz = gzipped(fs, labels);
        int pixels = (int) (rows * columns);
        long samples = Math.min(limit, count);
        if (!imagesGz && fs.getFileStatus(images).getLen() < 16 + samples * pixels) {
            throw new DataException("images file " + images + " is truncated: expected "
                    + String.format(Locale.ROOT, "%,d", 16 + samples * pixels) + " bytes, found "
                    + String.format(Locale.ROOT, "%,d", fs.getFileStatus(images).getLen()));
        }
        if (!labelsGz && fs.getFileStatus(labels).getLen() < 8 + samples) {
            throw new DataException("labels file " + labels + " is truncated: expected "
                    + String.format(Locale.ROOT, "%,d", 8 + samples) + " bytes, found "
                    + String.format(Locale.ROOT, "%,d", fs.getFileStatus(labels).getLen()));
        }
        List<SamplePart> parts = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            long from = samples * p / partitions;
            long to = samples * (p + 1) / partitions;
            parts.add(new SamplePart.Idx(images.toString(), labels.toString(), from, (int) (to - from), pixels,
                    imagesGz, labelsGz));
        }
        return new Plan(parts, format);
    }

    /** CSV files (in name order) cut into byte ranges of about equal size; a compressed file is never cut. */
    private static Plan csv(FileSystem fs, List<FileStatus> files, Configuration conf, int partitions,
                            String location) throws IOException {
        List<FileStatus> sorted = new ArrayList<>(files);
        sorted.sort((a, b) -> a.getPath().toString().compareTo(b.getPath().toString()));
        CompressionCodecFactory codecs = new CompressionCodecFactory(conf);
        long total = 0;
        for (FileStatus file : sorted) {
            total += file.getLen();
        }
        List<List<SamplePart.Csv.Segment>> segments = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            segments.add(new ArrayList<>());
        }
        long global = 0;
        for (FileStatus file : sorted) {
            long length = file.getLen();
            String name = file.getPath().toString();
            if (length == 0) {
                continue;
            }
            byte[] head = head(fs, file.getPath(), 4096);
            for (byte b : head) {
                if (b == 0) {
                    throw new DataException(name + ": is neither a CSV text file nor IDX data (it holds binary"
                            + " data); expected CSV files (LABEL,v1,…,vN per line) or an MNIST folder");
                }
            }
            boolean compressed = codecs.getCodec(file.getPath()) != null;
            if (compressed) {
                segments.get(part(global, total, partitions)).add(new SamplePart.Csv.Segment(name, 0, Long.MAX_VALUE,
                        true));
            } else {
                long s = global;
                while (s < global + length) {
                    int p = part(s, total, partitions);
                    long partEnd = p == partitions - 1 ? Long.MAX_VALUE
                            : ((p + 1) * total + partitions - 1) / partitions;
                    long e = Math.min(global + length, partEnd);
                    segments.get(p).add(new SamplePart.Csv.Segment(name, s - global,
                            e == global + length ? Long.MAX_VALUE : e - global, false));
                    s = e;
                }
            }
            global += length;
        }
        List<SamplePart> parts = new ArrayList<>();
        for (List<SamplePart.Csv.Segment> list : segments) {
            parts.add(new SamplePart.Csv(list));
        }
        return new Plan(parts, sorted.size() == 1 ? "CSV" : "CSV, " + sorted.size() + " files");
    }

    /** The partition whose byte range holds global offset {@code at}. */
    private static int part(long at, long total, int partitions) {
        return (int) Math.min(partitions - 1, at * partitions / Math.max(1, total));
    }

    private static boolean gzipped(FileSystem fs, Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    /** The first bytes of a file, decompressed if it is gzipped. */
    private static byte[] head(FileSystem fs, Path file, int n) throws IOException {
        boolean gz = gzipped(fs, file);
        try (InputStream raw = fs.open(file); InputStream in = gz ? new GZIPInputStream(raw) : raw) {
            return in.readNBytes(n);
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw new DataException(file + ": broken gzip data: " + e.getMessage());
        }
    }

    private static int bigEndian(byte[] bytes, int offset) {
        return (bytes[offset] & 0xff) << 24 | (bytes[offset + 1] & 0xff) << 16 | (bytes[offset + 2] & 0xff) << 8
                | (bytes[offset + 3] & 0xff);
    }

    private static String firstLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
