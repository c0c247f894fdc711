package io.richard.nd4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import io.richard.api.DataException;
import io.richard.api.Quote;
import io.richard.api.Shape;
import io.richard.api.spec.DataSpec;
import io.richard.api.spec.Normalization;
import io.richard.nd4j.MemoryEstimate;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Labelled samples from a CSV file in the reference's format: one sample per line, {@code LABEL,v1,…,vN}, where
 * LABEL is a class name from {@code data.classes} (matched exactly, e.g. {@code 7} or {@code cat}) and N = W·H·D
 * values of {@code data.shape} in the reference's order (x fastest, then y, then channel, so a colour CSV is
 * channel-planar). There is no header line. Every value x becomes (x − min) / (max − min) with the config's one
 * global {@link Normalization}.
 *
 * <p>Unlike the reference, which pads short rows with zeros, ignores missing files and reads a blank line as
 * an error only by accident, every problem is a {@link DataException} naming the file and line: a row with too
 * few or too many values, a value that is not a finite number, an empty field, a label that is not a class, a
 * blank line, an empty file. Surrounding spaces of a field and Windows line ends are accepted.
 *
 * <p>Loading: the file is read in chunks of {@code fetchSize} rows (the reference's {@code dataLoader.fetchSize})
 * by a background thread, which parses and normalises the next chunk while the calling thread moves the
 * previous one into ND4J memory; the whole set is then held in memory as an {@link InMemoryDataSet}, so every
 * epoch, rewind and shuffle works (the reference's CSV rewind after end-of-file does not). A data set larger
 * than memory needs the IDX format or a subset ({@code limit}).
 */
public final class CsvDataSet extends InMemoryBacked {

    /** Rows per chunk when no fetch size is given. */
    public static final int DEFAULT_FETCH_SIZE = 512;

    private final String source;
    private final InMemoryDataSet samples;

    private CsvDataSet(String source, InMemoryDataSet samples) {
        this.source = source;
        this.samples = samples;
    }

    /** Reads every row of {@code file} for a model's {@code data} section. */
    public static CsvDataSet load(Path file, DataSpec data) {
        return load(file, data, DEFAULT_FETCH_SIZE, Integer.MAX_VALUE);
    }

    /**
     * Reads the first {@code limit} rows of {@code file} (all of them if there are fewer).
     *
     * @param fetchSize rows per chunk read ahead by the background reader, at least 1
     * @param limit     the largest number of samples to read, at least 1; {@link Integer#MAX_VALUE} for all
     * @throws DataException naming the file and line of the first problem
     */
    public static CsvDataSet load(Path file, DataSpec data, int fetchSize, int limit) {
        Objects.requireNonNull(file, "file");
        return load(RowParser.open(file), data, fetchSize, limit);
    }

    /**
     * Reads the first {@code limit} rows of CSV text read once from {@code in} (a pipe, standard input),
     * named {@code source} in messages; see {@link #load(Path, DataSpec, int, int)}.
     */
    public static CsvDataSet load(InputStream in, String source, DataSpec data, int fetchSize, int limit) {
        return load(new RowParser.Text(in, source), data, fetchSize, limit);
    }

    private static CsvDataSet load(RowParser.Text text, DataSpec data, int fetchSize, int limit) {
        String file = text.source();
        Objects.requireNonNull(data, "data");
        if (fetchSize <= 0) {
            throw new IllegalArgumentException("fetch size must be positive, got " + fetchSize);
        }
        if (limit <= 0) {
            throw new IllegalArgumentException("sample limit must be positive, got " + limit);
        }
        Map<String, Integer> classIndex = new HashMap<>();
        for (int c = 0; c < data.classes().size(); c++) {
            classIndex.put(data.classes().get(c), c);
        }
        Shape shape = data.shape();
        RowParser parser = new RowParser(text, shape, data.normalization(), true);
        ChunkedReader.Source source = (values, labels, max) -> {
            int rows = 0;
            while (rows < max) {
                Row row = parser.next(values, rows * shape.size());
                if (row == null) {
                    break;
                }
                Integer index = classIndex.get(row.label());
                if (index == null) {
                    throw new DataException(file + ":" + row.line() + ": label " + Quote.single(row.label())
                            + " is not one of data.classes " + abbreviate(data.classes()));
                }
                labels[rows++] = index;
            }
            return rows;
        };
        try {
            InMemoryDataSet samples = ChunkedReader.read(source, fetchSize, limit, data.classes(), shape,
                    "richard-csv-reader", parser::close);
            if (samples == null) {
                throw new DataException(file + ": no samples; the file is empty (expected one line LABEL,v1,…,v"
                        + shape.size() + " per sample)");
            }
            return new CsvDataSet(file, samples);
        } finally {
            parser.close();
        }
    }

    /**
     * Reads rows for prediction: a row of N = W·H·D values is a sample without a label, a row of N + 1 fields
     * starts with a label (any text; it is reported, not checked). Values are normalised.
     *
     * @param limit the largest number of rows to read; {@link Integer#MAX_VALUE} for all
     * @throws DataException naming the file and line of the first problem
     */
    public static Rows readRows(Path file, Shape shape, Normalization normalization, int limit) {
        return readRows(RowParser.open(file), shape, normalization, limit);
    }

    /** {@link #readRows(Path, Shape, Normalization, int)} from text read once from {@code in}, named {@code source}. */
    public static Rows readRows(InputStream in, String source, Shape shape, Normalization normalization, int limit) {
        return readRows(new RowParser.Text(in, source), shape, normalization, limit);
    }

    private static Rows readRows(RowParser.Text text, Shape shape, Normalization normalization, int limit) {
        String file = text.source();
        RowParser parser = new RowParser(text, shape, normalization, false);
        try {
            List<float[]> values = new ArrayList<>();
            List<String> labels = new ArrayList<>();
            List<Integer> lines = new ArrayList<>();
            while (values.size() < limit) {
                float[] row = new float[shape.size()];
                Row parsed = parser.next(row, 0);
                if (parsed == null) {
                    break;
                }
                values.add(row);
                labels.add(parsed.label());
                lines.add(parsed.line());
            }
            if (values.isEmpty()) {
                throw new DataException(file + ": no samples; the file is empty");
            }
            INDArray features = Nd4j.createFromArray(values.toArray(new float[0][]));
            return new Rows(features, labels, lines.stream().mapToInt(Integer::intValue).toArray());
        } finally {
            parser.close();
        }
    }

    /**
     * Rows read by {@link #readRows}.
     *
     * @param features (rows, W·H·D) normalised values
     * @param labels   each row's label, or {@code null} for a row without one
     * @param lines    each row's line number in the file (1-based)
     */
    public record Rows(INDArray features, List<String> labels, int[] lines) {
    }

    /** Where the samples were read from: the file, or the name of the stream. */
    public String source() {
        return source;
    }

    @Override
    public InMemoryDataSet inMemory() {
        return samples;
    }

    @Override
    public String toString() {
        return "CsvDataSet[" + source + ", " + size() + " samples of shape " + shape() + "]";
    }

    static String abbreviate(List<String> classes) {
        List<String> shown = classes.stream().limit(classes.size() <= 12 ? 12 : 10).map(Quote::text).toList();
        if (classes.size() <= 12) {
            return "[" + String.join(", ", shown) + "]";
        }
        return "[" + String.join(", ", shown) + ", … (" + classes.size() + " classes)]";
    }

    /**
     * Parses single lines of the reference's CSV exactly as {@link #load} does (the same values, normalisation and
     * messages), for readers that cut a file into parts themselves, such as richard-spark's (each part of a file is
     * read on another machine). Not thread-safe: one per reading thread.
     */
    public static final class LineParser {
        private final RowParser parser;
        private final Map<String, Integer> classIndex = new HashMap<>();
        private final List<String> classes;

        private LineParser(String file, DataSpec data) {
            this.parser = new RowParser(file, data.shape(), data.normalization(), true);
            this.classes = data.classes();
            for (int c = 0; c < classes.size(); c++) {
                classIndex.put(classes.get(c), c);
            }
        }

        /**
         * Parses {@code text}, line {@code line} (from 1) of {@code file}, {@code LABEL,v1,…,vN}: its N normalised
         * values go to {@code out[offset…]}; returns the label's class index.
         *
         * @throws DataException "FILE:LINE: what is wrong", as the file readers say it
         */
        public int parse(String text, int line, float[] out, int offset) {
            Row row = parser.parse(text, line, out, offset);
            Integer index = classIndex.get(row.label());
            if (index == null) {
                throw new DataException(parser.file + ":" + line + ": label " + Quote.single(row.label())
                        + " is not one of data.classes " + abbreviate(classes));
            }
            return index;
        }
    }

    /** A parser of single lines of {@code file} (named so in messages) for a model's {@code data} section. */
    public static LineParser lineParser(String file, DataSpec data) {
        return new LineParser(Objects.requireNonNull(file, "file"), Objects.requireNonNull(data, "data"));
    }

    /** One parsed row: its label (null when a prediction row has none) and its line number. */
    private record Row(String label, int line) {
    }

    /** Parses the CSV line by line into a float buffer, with messages naming the file and line. */
    private static final class RowParser {
        /** Characters allowed per field of a line (a number needs far fewer), before the line is refused. */
        private static final int FIELD_CHARS = 100;
        private final String file;
        private final int n;
        private final float min;
        private final float scale;
        private final boolean labelRequired;
        private final String expectedRow;
        private final Text text;
        private final int maxLine;
        private int line;

        /** The text of a CSV file or stream, read line by line with a bound on each line's length. */
        static final class Text {
            private final String source;
            private final Reader reader;
            private final char[] buffer = new char[1 << 16];
            private int position;
            private int limit;
            private boolean afterCarriageReturn;

            Text(InputStream in, String source) {
                this.source = source;
                this.reader = new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder());
            }

            String source() {
                return source;
            }

            /**
             * The next line without its end ({@code \n}, {@code \r\n} or {@code \r}), null at the end, or the
             * line's length as a negative number if it is longer than {@code max} characters (not read further).
             */
            Object next(int max) throws IOException {
                StringBuilder line = null;
                while (true) {
                    if (position == limit) {
                        limit = reader.read(buffer, 0, buffer.length);
                        position = 0;
                        if (limit <= 0) {
                            limit = 0;
                            return line == null ? null : line.toString();
                        }
                    }
                    if (afterCarriageReturn) {
                        afterCarriageReturn = false;
                        if (buffer[position] == '\n') {
                            position++;
                            continue;
                        }
                    }
                    int start = position;
                    while (position < limit && buffer[position] != '\n' && buffer[position] != '\r') {
                        position++;
                    }
                    int length = position - start + (line == null ? 0 : line.length());
                    if (length > max) {
                        return Long.valueOf(length);
                    }
                    if (line == null) {
                        line = new StringBuilder(Math.min(max, 256));
                    }
                    line.append(buffer, start, position - start);
                    if (position < limit) {
                        afterCarriageReturn = buffer[position] == '\r';
                        position++;
                        return line.toString();
                    }
                }
            }

            void close() throws IOException {
                reader.close();
            }
        }

        /** Opens a CSV file. */
        static Text open(Path file) {
            if (Files.isDirectory(file)) {
                throw new DataException(file + ": is a directory, not a CSV file");
            }
            try {
                return new Text(Files.newInputStream(file), file.toString());
            } catch (NoSuchFileException e) {
                throw new DataException(file + ": no such file");
            } catch (IOException e) {
                throw new DataException(file + ": cannot read: " + e.getMessage(), e);
            }
        }

        RowParser(Text text, Shape shape, Normalization normalization, boolean labelRequired) {
            this(text, text.source(), shape, normalization, labelRequired);
        }

        /** A parser of single lines ({@link #parse}), reading no text itself. */
        RowParser(String file, Shape shape, Normalization normalization, boolean labelRequired) {
            this(null, file, shape, normalization, labelRequired);
        }

        private RowParser(Text text, String file, Shape shape, Normalization normalization, boolean labelRequired) {
            this.text = text;
            this.file = file;
            this.n = shape.size();
            this.min = (float) normalization.min();
            this.scale = (float) (1.0 / (normalization.max() - normalization.min()));
            this.labelRequired = labelRequired;
            this.expectedRow = labelRequired ? "LABEL,v1,…,v" + n : "v1,…,v" + n + " or LABEL,v1,…,v" + n;
            this.maxLine = (int) Math.min(Integer.MAX_VALUE - 16, (n + 1L) * FIELD_CHARS + 1000);
        }

        /** Parses the next row's values into {@code out[offset…]}; null at the end of the file. */
        Row next(float[] out, int offset) {
            String text;
            try {
                Object next = this.text.next(maxLine);
                if (next instanceof Long length) {
                    throw new DataException(file + ":" + (line + 1) + ": the line is longer than "
                            + String.format(java.util.Locale.ROOT, "%,d", maxLine) + " characters (" + FIELD_CHARS
                            + " per value of a row of " + expectedRow + "); not a CSV file of this data.shape?");
                }
                text = (String) next;
            } catch (CharacterCodingException e) {
                throw new DataException(file + ":" + (line + 1) + ": not UTF-8 text; expected a CSV file", e);
            } catch (IOException e) {
                throw new DataException(file + ":" + (line + 1) + ": cannot read: " + e.getMessage(), e);
            }
            if (text == null) {
                return null;
            }
            return parse(text, line + 1, out, offset);
        }

        /** Parses {@code text}, line {@code number} of the file, into {@code out[offset…]}. */
        Row parse(String text, int number, float[] out, int offset) {
            line = number;
            if (line == 1 && text.startsWith("\uFEFF")) {
                text = text.substring(1);
            }
            if (text.isBlank()) {
                throw new DataException(file + ":" + line + ": blank line; every line must be one sample, "
                        + expectedRow);
            }
            int fields = 1;
            for (int i = 0; i < text.length(); i++) {
                if (text.charAt(i) == ',') {
                    fields++;
                }
            }
            boolean hasLabel;
            if (labelRequired) {
                if (fields != n + 1) {
                    throw new DataException(file + ":" + line + ": row has " + (fields - 1) + " value"
                            + (fields == 2 ? "" : "s") + " after the label, but data.shape needs " + n
                            + " (expected " + expectedRow + ")");
                }
                hasLabel = true;
            } else {
                if (fields != n && fields != n + 1) {
                    throw new DataException(file + ":" + line + ": row has " + fields + " field"
                            + (fields == 1 ? "" : "s") + ", but data.shape needs " + n
                            + " values (expected " + expectedRow + ")");
                }
                hasLabel = fields == n + 1;
            }
            int start = 0;
            String label = null;
            if (hasLabel) {
                int comma = text.indexOf(',');
                label = text.substring(0, comma).strip();
                start = comma + 1;
                if (label.isEmpty() && labelRequired) {
                    throw new DataException(file + ":" + line + ": the label (field 1) is empty; expected a class name");
                }
            }
            int field = hasLabel ? 2 : 1;
            for (int v = 0; v < n; v++, field++) {
                int end = text.indexOf(',', start);
                if (end < 0) {
                    end = text.length();
                }
                float x = parse(text, start, end, field);
                out[offset + v] = (x - min) * scale;
                start = end + 1;
            }
            return new Row(label, line);
        }

        /** A finite decimal number in text[start, end), spaces around it allowed. */
        private float parse(String text, int start, int end, int field) {
            while (start < end && Character.isWhitespace(text.charAt(start))) {
                start++;
            }
            while (end > start && Character.isWhitespace(text.charAt(end - 1))) {
                end--;
            }
            if (start == end) {
                throw new DataException(file + ":" + line + ": field " + field + " is empty; expected a number");
            }
            int value = 0;
            int i = start;
            boolean negative = text.charAt(i) == '-';
            if (negative || text.charAt(i) == '+') {
                i++;
            }
            boolean integer = i < end && end - i <= 9;
            for (int j = i; j < end && integer; j++) {
                char c = text.charAt(j);
                if (c < '0' || c > '9') {
                    integer = false;
                } else {
                    value = value * 10 + (c - '0');
                }
            }
            if (integer) {
                return negative ? -value : value;
            }
            String token = text.substring(start, end);
            for (int j = 0; j < token.length(); j++) {
                char c = token.charAt(j);
                if (!(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) {
                    throw notANumber(token, field);
                }
            }
            try {
                float x = Float.parseFloat(token);
                if (!Float.isFinite(x)) {
                    throw new DataException(file + ":" + line + ": field " + field + " (" + Quote.single(token)
                            + ") is out of the float range");
                }
                return x;
            } catch (NumberFormatException e) {
                throw notANumber(token, field);
            }
        }

        private DataException notANumber(String token, int field) {
            String hint = line == 1 && field <= 2 && Character.isLetter(token.charAt(0))
                    ? " (a header line? the CSV format has none)" : "";
            return new DataException(file + ":" + line + ": field " + field + " (" + Quote.single(token)
                    + ") is not a number" + hint);
        }

        void close() {
            try {
                text.close();
            } catch (IOException ignored) {
                // nothing was written; a failed close loses nothing
            }
        }
    }

    /**
     * Reads samples on a background thread, {@code fetchSize} at a time, while the calling thread moves each
     * finished chunk into ND4J memory; at most two chunks wait in between. Used by the CSV and image-folder
     * readers.
     */
    static final class ChunkedReader {

        /** Produces samples into the given buffers. */
        @FunctionalInterface
        interface Source {
            /**
             * Fills up to {@code max} samples: sample i's W·H·D values at {@code values[i·W·H·D …]} and its class
             * index at {@code labels[i]}; returns how many were filled, fewer than {@code max} only at the end.
             */
            int read(float[] values, int[] labels, int max);
        }

        private static final Object END = new Object();

        private record Chunk(float[] values, int[] labels, int count) {
        }

        private ChunkedReader() {
        }

        /** Free memory left beside the samples for everything else (ND4J, the network, the JVM). */
        static final long HEADROOM = 512L << 20;

        /**
         * Stops reading when the next {@code bytes} would leave less than {@link #HEADROOM} of physical memory: an
         * endless stream of valid rows ends with a message instead of the machine swapping or the process dying.
         */
        static void requireMemory(int samplesSoFar, long bytes, MemoryEstimate.Available available) {
            if (available.physicalFree() > 0 && bytes + HEADROOM > available.physicalFree()) {
                throw new DataException("the data does not fit in memory: after " + String.format(java.util.Locale.ROOT,
                        "%,d", samplesSoFar) + " samples, " + MemoryEstimate.bytes(bytes) + " more would leave less than "
                        + MemoryEstimate.bytes(HEADROOM) + " free (" + available.describe() + "); read fewer with a"
                        + " sample limit (training.limit, --limit)");
            }
        }

        /**
         * Reads up to {@code limit} samples from {@code source}; null if there are none. Exceptions from the
         * source are rethrown on the calling thread.
         *
         * @param abort called on the calling thread if it is interrupted, to unblock the source
         */
        static InMemoryDataSet read(Source source, int fetchSize, int limit, List<String> classes, Shape shape,
                                    String threadName, Runnable abort) {
            int n = shape.size();
            int chunkSize = Math.max(1, Math.min(fetchSize, Math.min(limit, Integer.MAX_VALUE / n)));
            BlockingQueue<Object> queue = new ArrayBlockingQueue<>(2);
            Thread reader = new Thread(() -> {
                try {
                    int remaining = limit;
                    while (remaining > 0) {
                        int max = Math.min(chunkSize, remaining);
                        float[] values = new float[max * n];
                        int[] labels = new int[max];
                        int count = source.read(values, labels, max);
                        if (count > 0) {
                            queue.put(new Chunk(values, labels, count));
                        }
                        remaining -= count;
                        if (count < max) {
                            break;
                        }
                    }
                    queue.put(END);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException | Error e) {
                    try {
                        queue.put(e);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                    }
                }
            }, threadName);
            reader.setDaemon(true);
            reader.start();
            List<INDArray> blocks = new ArrayList<>();
            List<int[]> labelBlocks = new ArrayList<>();
            int total = 0;
            try {
                while (true) {
                    Object item = queue.take();
                    if (item == END) {
                        break;
                    }
                    if (item instanceof RuntimeException e) {
                        throw e;
                    }
                    if (item instanceof Error e) {
                        throw e;
                    }
                    Chunk chunk = (Chunk) item;
                    requireMemory(total, (long) chunk.count() * n * Float.BYTES, MemoryEstimate.available());
                    INDArray block = Nd4j.create(chunk.values(), new long[] {chunk.labels().length, n}, DataType.FLOAT);
                    if (chunk.count() < chunk.labels().length) {
                        block = block.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, chunk.count()),
                                org.nd4j.linalg.indexing.NDArrayIndex.all()).dup('c');
                    }
                    blocks.add(block);
                    labelBlocks.add(java.util.Arrays.copyOf(chunk.labels(), chunk.count()));
                    total += chunk.count();
                }
            } catch (InterruptedException e) {
                reader.interrupt();
                abort.run();
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new java.io.InterruptedIOException("reading interrupted"));
            }
            if (total == 0) {
                return null;
            }
            if (blocks.size() > 1) {
                requireMemory(total, (long) total * n * Float.BYTES, MemoryEstimate.available());   // the joined copy
            }
            INDArray features = blocks.size() == 1 ? blocks.get(0) : Nd4j.concat(0, blocks.toArray(new INDArray[0]));
            int[] labels = new int[total];
            int at = 0;
            for (int[] block : labelBlocks) {
                System.arraycopy(block, 0, labels, at, block.length);
                at += block.length;
            }
            return new InMemoryDataSet(features, labels, classes, shape);
        }
    }
}
