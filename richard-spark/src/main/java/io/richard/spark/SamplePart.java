package io.richard.spark;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import io.richard.api.DataException;
import io.richard.api.Quote;
import io.richard.api.spec.Normalization;
import io.richard.nd4j.data.CsvDataSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

/**
 * What one task reads: a range of samples of an IDX images file and its labels, or byte ranges of CSV files.
 * Planned on the driver from the files' sizes and headers ({@link SparkDataSet}), read on an executor through
 * Hadoop's file systems (any path Spark reads: {@code file://}, {@code hdfs://}, {@code s3a://}, …), normalised
 * there exactly as the single-machine readers normalise ({@code (float) normalization.apply(x)} for IDX bytes,
 * {@link CsvDataSet#lineParser} for CSV lines).
 */
sealed interface SamplePart extends Serializable {

    /** Reads the part: blocks of samples in file order, or one block holding the first problem. */
    List<SampleBlock> read(Configuration conf, DataLayout layout);

    /** Samples the part holds, if known before reading (IDX), else -1. */
    long knownSamples();

    /**
     * Samples {@code first} to {@code first + count − 1} of an IDX images file and its labels file, each gzipped or
     * not. An uncompressed file is read from its offset (a seek); a gzipped one is decompressed from its start.
     */
    record Idx(String images, String labels, long first, int count, int pixels, boolean imagesGzipped,
               boolean labelsGzipped) implements SamplePart {

        static final int IMAGES_HEADER = 16;
        static final int LABELS_HEADER = 8;

        @Override
        public long knownSamples() {
            return count;
        }

        @Override
        public List<SampleBlock> read(Configuration conf, DataLayout layout) {
            List<SampleBlock> blocks = new ArrayList<>();
            if (count == 0) {
                return blocks;
            }
            float[] valueOfByte = new float[256];
            Normalization normalization = new Normalization(layout.min(), layout.max());
            for (int b = 0; b < 256; b++) {
                valueOfByte[b] = (float) normalization.apply(b);        // as IdxReader: the same floats
            }
            int[] classOfByte = new int[256];
            for (int b = 0; b < 256; b++) {
                classOfByte[b] = layout.classes().indexOf(String.valueOf(b));
            }
            int rowsPerBlock = Math.max(1, SampleBlock.MAX_VALUES / pixels);
            try (InputStream imageIn = open(conf, images, imagesGzipped, IMAGES_HEADER + first * pixels);
                 InputStream labelIn = open(conf, labels, labelsGzipped, LABELS_HEADER + first)) {
                byte[] imageBytes = new byte[Math.min(count, rowsPerBlock) * pixels];
                byte[] labelBytes = new byte[Math.min(count, rowsPerBlock)];
                for (int done = 0; done < count; ) {
                    int rows = Math.min(rowsPerBlock, count - done);
                    int read = imageIn.readNBytes(imageBytes, 0, rows * pixels);
                    if (read < rows * pixels) {
                        return List.of(SampleBlock.failed("images file " + images + " is truncated: it ends within"
                                + " image " + (first + done + read / pixels) + ", but its header declares more"));
                    }
                    if (labelIn.readNBytes(labelBytes, 0, rows) < rows) {
                        return List.of(SampleBlock.failed("labels file " + labels + " is truncated: it ends before"
                                + " label " + (first + done + rows - 1) + ", but its header declares more"));
                    }
                    float[] values = new float[rows * pixels];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = valueOfByte[imageBytes[i] & 0xff];
                    }
                    int[] classes = new int[rows];
                    for (int i = 0; i < rows; i++) {
                        int label = labelBytes[i] & 0xff;
                        classes[i] = classOfByte[label];
                        if (classes[i] < 0) {
                            return List.of(SampleBlock.failed("labels file " + labels + ": record " + (first + done + i)
                                    + " has label " + label + ", which is not one of the classes "
                                    + abbreviate(layout.classes())));
                        }
                    }
                    blocks.add(SampleBlock.of(values, classes));
                    done += rows;
                }
            } catch (IOException e) {
                return List.of(SampleBlock.failed(images + ": cannot read: " + e.getMessage()));
            }
            return blocks;
        }

        /** The file from byte {@code offset}: a seek, or decompressing and skipping to it. */
        private static InputStream open(Configuration conf, String file, boolean gzipped, long offset)
                throws IOException {
            Path path = new Path(file);
            FSDataInputStream in = path.getFileSystem(conf).open(path);
            if (!gzipped) {
                in.seek(offset);
                return in;
            }
            InputStream gz = new GZIPInputStream(in, 1 << 16);
            try {
                gz.skipNBytes(offset);
            } catch (EOFException e) {
                gz.close();
                throw new IOException("the gzip data ends before byte " + offset + " of the IDX data");
            }
            return gz;
        }
    }

    /**
     * Lines of CSV files: each segment is a byte range of a file (the lines that start in it) or a whole
     * compressed file. Lines end with {@code \n} or {@code \r\n}.
     */
    record Csv(List<Segment> segments) implements SamplePart {

        public Csv {
            segments = List.copyOf(segments);
        }

        /**
         * The lines that start in bytes {@code [start, end)} of a file; a compressed file (a Hadoop codec, e.g.
         * {@code .gz}) is always whole.
         */
        record Segment(String file, long start, long end, boolean compressed) implements Serializable {
        }

        @Override
        public long knownSamples() {
            return -1;
        }

        @Override
        public List<SampleBlock> read(Configuration conf, DataLayout layout) {
            int n = layout.values();
            int rowsPerBlock = Math.max(1, SampleBlock.MAX_VALUES / n);
            int maxLine = (int) Math.min(Integer.MAX_VALUE - 16, (n + 1L) * 100 + 1000);
            List<SampleBlock> blocks = new ArrayList<>();
            float[] values = new float[Math.min(rowsPerBlock, 1024) * n];
            int[] classes = new int[values.length / n];
            int rows = 0;
            for (Segment segment : segments) {
                CsvDataSet.LineParser parser = CsvDataSet.lineParser(segment.file(), layout.spec());
                try (Lines lines = Lines.open(conf, segment, maxLine)) {
                    for (String text = lines.next(); text != null; text = lines.next()) {
                        if (rows == classes.length) {
                            if (rows == rowsPerBlock) {
                                blocks.add(SampleBlock.of(values, classes));
                                values = new float[rowsPerBlock * n];
                                classes = new int[rowsPerBlock];
                                rows = 0;
                            } else {
                                int grown = Math.min(rowsPerBlock, 2 * rows);
                                values = Arrays.copyOf(values, grown * n);
                                classes = Arrays.copyOf(classes, grown);
                            }
                        }
                        long at = lines.lineStart();
                        try {
                            // the line's number is known when the segment starts the file; otherwise it is counted
                            // only for a message (2 keeps the parser from taking a first line's byte-order mark)
                            classes[rows] = parser.parse(text, lines.numbered() ? lines.number() : 2, values, rows * n);
                        } catch (DataException e) {
                            int line = lines.numbered() ? lines.number() : lineOf(conf, segment, at);
                            return List.of(SampleBlock.failed(message(parser, text, line, n)));
                        }
                        rows++;
                    }
                } catch (LineTooLong e) {
                    int line = lineOf(conf, segment, e.start);
                    return List.of(SampleBlock.failed(segment.file() + ":" + line + ": the line is longer than "
                            + String.format(Locale.ROOT, "%,d", maxLine) + " characters (100 per value of a row of"
                            + " LABEL,v1,…,v" + n + "); not a CSV file of this data.shape?"));
                } catch (CharacterCodingException e) {
                    return List.of(SampleBlock.failed(segment.file() + ": not UTF-8 text; expected a CSV file"));
                } catch (IOException e) {
                    return List.of(SampleBlock.failed(segment.file() + ": cannot read: " + e.getMessage()));
                }
            }
            if (rows > 0) {
                blocks.add(SampleBlock.of(Arrays.copyOf(values, rows * n), Arrays.copyOf(classes, rows)));
            }
            return blocks;
        }

        /** The parser's message for the line, now that its number is known. */
        private static String message(CsvDataSet.LineParser parser, String text, int line, int n) {
            try {
                parser.parse(text, line, new float[n], 0);
                return "line " + line + " cannot be read";                  // not reached: parsing is deterministic
            } catch (DataException e) {
                return e.getMessage();
            }
        }

        /** The number (from 1) of the line starting at byte {@code at} of the segment's file: 1 + the newlines before. */
        private static int lineOf(Configuration conf, Segment segment, long at) {
            Segment head = new Segment(segment.file(), 0, Long.MAX_VALUE, segment.compressed());
            try (InputStream in = Lines.stream(conf, head)) {
                byte[] buffer = new byte[1 << 16];
                long position = 0;
                int line = 1;
                while (position < at) {
                    int read = in.read(buffer, 0, (int) Math.min(buffer.length, at - position));
                    if (read < 0) {
                        break;
                    }
                    for (int i = 0; i < read; i++) {
                        if (buffer[i] == '\n') {
                            line++;
                        }
                    }
                    position += read;
                }
                return line;
            } catch (IOException e) {
                return -1;
            }
        }
    }

    /** A line longer than the most a row of this shape can take. */
    final class LineTooLong extends IOException {
        private static final long serialVersionUID = 1L;
        final long start;

        LineTooLong(long start) {
            super("line too long");
            this.start = start;
        }
    }

    /** The lines of a segment, with the byte offset each starts at (uncompressed, from the file's start). */
    final class Lines implements AutoCloseable {
        private final InputStream in;
        private final long end;
        private final int maxLine;
        private final boolean numbered;
        private final byte[] buffer = new byte[1 << 16];
        private int position;
        private int limit;
        private long offset;                            // file offset of buffer[0]
        private long lineStart;
        private int number;
        private byte[] line = new byte[256];

        private Lines(InputStream in, long start, long end, int maxLine) {
            this.in = in;
            this.offset = start;
            this.end = end;
            this.maxLine = maxLine;
            this.numbered = start == 0;
        }

        static Lines open(Configuration conf, Csv.Segment segment, int maxLine) throws IOException {
            InputStream in = stream(conf, segment);
            Lines lines = new Lines(in, segment.start(), segment.end(), maxLine);
            if (segment.start() > 0) {
                // a line that began before the segment belongs to the segment before (which reads it whole)
                ((FSDataInputStream) in).seek(segment.start() - 1);
                lines.offset = segment.start() - 1;
                lines.skipLine();
            }
            return lines;
        }

        /** The segment's file from its start, decompressed if it is compressed. */
        static InputStream stream(Configuration conf, Csv.Segment segment) throws IOException {
            Path path = new Path(segment.file());
            FileSystem fs = path.getFileSystem(conf);
            FSDataInputStream raw = fs.open(path);
            if (!segment.compressed()) {
                return raw;
            }
            CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(path);
            return codec != null ? codec.createInputStream(raw) : new GZIPInputStream(raw, 1 << 16);
        }

        boolean numbered() {
            return numbered;
        }

        /** The number of the line last returned, counted from 1 (only when {@link #numbered()}). */
        int number() {
            return number;
        }

        /** The file offset at which the line last returned starts. */
        long lineStart() {
            return lineStart;
        }

        private int fill() throws IOException {
            if (position == limit) {
                offset += limit;
                limit = Math.max(0, in.read(buffer, 0, buffer.length));
                position = 0;
                if (limit == 0) {
                    return -1;
                }
            }
            return limit - position;
        }

        private long here() {
            return offset + position;
        }

        /** Moves past the next '\n' (or to the end). */
        private void skipLine() throws IOException {
            while (fill() > 0) {
                byte b = buffer[position++];
                if (b == '\n') {
                    return;
                }
            }
        }

        /** The next line that starts in the segment, without its end, or null. */
        String next() throws IOException {
            if (fill() < 0 || here() >= end) {
                return null;
            }
            lineStart = here();
            int length = 0;
            boolean ended = false;
            while (fill() > 0) {
                int start = position;
                while (position < limit && buffer[position] != '\n') {
                    position++;
                }
                int chunk = position - start;
                if (length + chunk > maxLine * 4L + 4) {
                    throw new LineTooLong(lineStart);
                }
                if (length + chunk > line.length) {
                    line = Arrays.copyOf(line, Math.max(length + chunk, 2 * line.length));
                }
                System.arraycopy(buffer, start, line, length, chunk);
                length += chunk;
                if (position < limit) {
                    position++;                                    // the '\n'
                    ended = true;
                    break;
                }
            }
            if (!ended && length == 0) {
                return null;
            }
            if (length > 0 && line[length - 1] == '\r') {
                length--;
            }
            number++;
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(line, 0, length)).toString();
            if (text.length() > maxLine) {
                throw new LineTooLong(lineStart);
            }
            return text;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** A list of class labels for a message: all of up to 12, else the first 10 and how many. */
    static String abbreviate(List<String> classes) {
        List<String> shown = classes.stream().limit(classes.size() <= 12 ? 12 : 10).map(Quote::text).toList();
        if (classes.size() <= 12) {
            return "[" + String.join(", ", shown) + "]";
        }
        return "[" + String.join(", ", shown) + ", … (" + classes.size() + " classes)]";
    }
}
