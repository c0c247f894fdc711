package io.richard.nd4j.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.richard.api.ModelFormatException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads and writes single arrays in NumPy's {@code .npy} format, so that parameters saved by Richard open with
 * {@code numpy.load} and arrays saved by NumPy open here.
 *
 * <p>Written files use format version 1.0, little-endian float32 ({@code '<f4'}) or float64 ({@code '<f8'}),
 * C order, and the header exactly as NumPy writes it: the dictionary text, spare spaces, then spaces up to a
 * multiple of 64 bytes and a final newline. Reading accepts versions 1.0, 2.0 and 3.0, both orders, and the two
 * little-endian float types; anything else is a {@link ModelFormatException} that names the source.
 */
public final class Npy {

    /** The six bytes every .npy file starts with. */
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    /** Length of the fixed prefix of a version 1.0 file: magic, version, 2-byte header length. */
    static final int PREFIX_V1 = 10;

    /** The longest header this reader accepts (the most a version 1.0 file can hold). */
    public static final int MAX_HEADER_BYTES = 65_535;

    /** NumPy aligns the data to this many bytes from the start of the file. */
    private static final int ALIGNMENT = 64;

    /** NumPy leaves room in the header for a first dimension of this many digits (numpy.lib.format). */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;

    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN_ORDER = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /**
     * What an .npy header says about the array that follows it.
     *
     * @param dataType     {@link DataType#FLOAT} for {@code '<f4'}, {@link DataType#DOUBLE} for {@code '<f8'}
     * @param shape        the dimensions, outermost first
     * @param fortranOrder whether the data is stored column-major
     */
    public record Header(DataType dataType, long[] shape, boolean fortranOrder) {

        /** Number of elements, the product of the shape. */
        public long length() {
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }

        /** Number of bytes of data after the header. */
        public long dataBytes() {
            return Math.multiplyExact(length(), (long) dataType.width());
        }

        /** The shape as NumPy prints it, e.g. {@code (2, 3)} or {@code (3,)}. */
        public String shapeText() {
            return Npy.shapeText(shape);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Header h && h.dataType == dataType && Arrays.equals(h.shape, shape)
                    && h.fortranOrder == fortranOrder;
        }

        @Override
        public int hashCode() {
            return 31 * (31 * dataType.hashCode() + Arrays.hashCode(shape)) + Boolean.hashCode(fortranOrder);
        }

        @Override
        public String toString() {
            return "Header[" + descr(dataType) + ", " + shapeText() + (fortranOrder ? ", fortran order" : "") + "]";
        }
    }

    /** The .npy bytes of an array: float32 and float64 arrays keep their type, other types become float32. */
    public static byte[] toBytes(INDArray array) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(out, array);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes an array as .npy (see {@link #toBytes}); the stream is left open. */
    public static void write(OutputStream out, INDArray array) throws IOException {
        DataType type = storedType(array.dataType());
        long[] shape = array.shape();
        out.write(headerBytes(type, shape));
        INDArray flat = Nd4j.toFlattened('c', array.castTo(type));
        int chunk = 8192;
        ByteBuffer buffer = ByteBuffer.allocate(chunk * type.width()).order(ByteOrder.LITTLE_ENDIAN);
        if (type == DataType.DOUBLE) {
            double[] values = flat.toDoubleVector();
            for (int start = 0; start < values.length; start += chunk) {
                buffer.clear();
                buffer.asDoubleBuffer().put(values, start, Math.min(chunk, values.length - start));
                out.write(buffer.array(), 0, Math.min(chunk, values.length - start) * Double.BYTES);
            }
        } else {
            float[] values = flat.toFloatVector();
            for (int start = 0; start < values.length; start += chunk) {
                buffer.clear();
                buffer.asFloatBuffer().put(values, start, Math.min(chunk, values.length - start));
                out.write(buffer.array(), 0, Math.min(chunk, values.length - start) * Float.BYTES);
            }
        }
    }

    /** The type an array is stored in: its own for float32 and float64, float32 for anything else. */
    static DataType storedType(DataType type) {
        return type == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
    }

    /**
     * The complete header of a version 1.0 file: magic, version, length and the padded dictionary text, exactly
     * as {@code numpy.save} writes it.
     */
    static byte[] headerBytes(DataType type, long[] shape) {
        StringBuilder dict = new StringBuilder()
                .append("{'descr': '").append(descr(type)).append("', 'fortran_order': False, 'shape': ")
                .append(shapeText(shape)).append(", }");
        if (shape.length > 0) {
            dict.append(" ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - Long.toString(shape[0]).length())));
        }
        int unpadded = PREFIX_V1 + dict.length() + 1;
        int padding = (ALIGNMENT - unpadded % ALIGNMENT) % ALIGNMENT;
        dict.append(" ".repeat(padding)).append('\n');
        byte[] text = dict.toString().getBytes(StandardCharsets.US_ASCII);
        ByteBuffer header = ByteBuffer.allocate(PREFIX_V1 + text.length).order(ByteOrder.LITTLE_ENDIAN);
        header.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length).put(text);
        return header.array();
    }

    /** NumPy's type string of a data type: {@code '<f4'} or {@code '<f8'}. */
    static String descr(DataType type) {
        return switch (type) {
            case FLOAT -> "<f4";
            case DOUBLE -> "<f8";
            default -> throw new IllegalArgumentException("no .npy type for " + type);
        };
    }

    /** A shape as Python prints a tuple: {@code ()}, {@code (3,)}, {@code (2, 3)}. */
    static String shapeText(long[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            s.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return s.append(')').toString();
    }

    /** Reads a whole .npy array from a stream (which is left open, positioned after the data). */
    public static INDArray read(InputStream in, String source) throws IOException {
        return readData(in, readHeader(in, source), source);
    }

    /**
     * Reads the magic, version and header of an .npy file and leaves the stream at the first data byte.
     *
     * @param source where the bytes come from, for messages (e.g. {@code "model.zip, entry params/00-W.npy"})
     * @throws ModelFormatException if the magic, version, header text or type is not what NumPy writes
     */
    public static Header readHeader(InputStream in, String source) throws IOException {
        byte[] start = in.readNBytes(8);
        if (start.length < 8 || !Arrays.equals(Arrays.copyOf(start, MAGIC.length), MAGIC)) {
            throw new ModelFormatException(source + ": not a NumPy .npy array (expected the magic bytes \\x93NUMPY,"
                    + " found " + hex(start) + ")");
        }
        int major = start[6] & 0xff;
        int minor = start[7] & 0xff;
        long headerLength;
        if (major == 1) {
            byte[] length = in.readNBytes(2);
            if (length.length < 2) {
                throw new ModelFormatException(source + ": .npy file is truncated inside its header");
            }
            headerLength = ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xffff;
        } else if (major == 2 || major == 3) {
            byte[] length = in.readNBytes(4);
            if (length.length < 4) {
                throw new ModelFormatException(source + ": .npy file is truncated inside its header");
            }
            headerLength = ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
        } else {
            throw new ModelFormatException(source + ": unsupported .npy format version " + major + "." + minor
                    + "; expected 1.0, 2.0 or 3.0");
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw new ModelFormatException(source + ": .npy header of " + headerLength + " bytes is too long;"
                    + " at most " + MAX_HEADER_BYTES + " bytes are accepted");
        }
        byte[] textBytes = in.readNBytes((int) headerLength);
        if (textBytes.length < headerLength) {
            throw new ModelFormatException(source + ": .npy file is truncated inside its header (expected "
                    + headerLength + " header bytes, found " + textBytes.length + ")");
        }
        String text = new String(textBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        return parseHeader(text.strip(), source);
    }

    private static Header parseHeader(String text, String source) {
        if (!text.startsWith("{") || !text.endsWith("}")) {
            throw new ModelFormatException(source + ": .npy header is not a dictionary: " + abbreviate(text));
        }
        Matcher descr = DESCR.matcher(text);
        Matcher fortran = FORTRAN_ORDER.matcher(text);
        Matcher shape = SHAPE.matcher(text);
        if (!descr.find() || !fortran.find() || !shape.find()) {
            throw new ModelFormatException(source + ": .npy header lacks 'descr', 'fortran_order' or 'shape': "
                    + abbreviate(text));
        }
        DataType type = switch (descr.group(1)) {
            case "<f4" -> DataType.FLOAT;
            case "<f8" -> DataType.DOUBLE;
            default -> throw new ModelFormatException(source + ": unsupported .npy data type '" + descr.group(1)
                    + "'; expected '<f4' (little-endian float32) or '<f8' (little-endian float64)");
        };
        return new Header(type, parseShape(shape.group(1), text, source), fortran.group(1).equals("True"));
    }

    private static long[] parseShape(String tuple, String header, String source) {
        String body = tuple.strip();
        if (body.endsWith(",")) {
            body = body.substring(0, body.length() - 1).strip();
        }
        if (body.isEmpty()) {
            return new long[0];
        }
        String[] parts = body.split(",");
        long[] shape = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                shape[i] = Long.parseLong(parts[i].strip());
            } catch (NumberFormatException e) {
                shape[i] = -1;
            }
            if (shape[i] < 0) {
                throw new ModelFormatException(source + ": .npy header has an invalid shape (" + tuple + "): "
                        + abbreviate(header));
            }
        }
        try {
            new Header(DataType.DOUBLE, shape, false).dataBytes();
        } catch (ArithmeticException e) {
            throw new ModelFormatException(source + ": .npy shape (" + tuple + ") is too large");
        }
        return shape;
    }

    /**
     * Reads exactly the data a header announces and returns it as a C-order array of the header's type and shape.
     *
     * @throws ModelFormatException if the stream ends early, naming how many bytes were expected and found
     */
    public static INDArray readData(InputStream in, Header header, String source) throws IOException {
        long bytes = header.dataBytes();
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new ModelFormatException(source + ": .npy array of shape " + header.shapeText() + " has " + bytes
                    + " bytes, more than one array can hold here");
        }
        byte[] data = in.readNBytes((int) bytes);
        if (data.length < bytes) {
            throw new ModelFormatException(source + ": .npy data is truncated: shape " + header.shapeText() + " of "
                    + (header.dataType() == DataType.FLOAT ? "float32" : "float64") + " needs " + bytes
                    + " bytes, found " + data.length);
        }
        ByteBuffer buffer = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        long[] shape = header.shape();
        char order = header.fortranOrder() ? 'f' : 'c';
        INDArray array;
        if (header.dataType() == DataType.DOUBLE) {
            double[] values = new double[(int) header.length()];
            buffer.asDoubleBuffer().get(values);
            array = Nd4j.create(values, shape, order);
        } else {
            float[] values = new float[(int) header.length()];
            buffer.asFloatBuffer().get(values);
            array = Nd4j.create(values, shape, order);
        }
        return array.ordering() == 'c' ? array : array.dup('c');
    }

    private static String hex(byte[] bytes) {
        if (bytes.length == 0) {
            return "no bytes";
        }
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            s.append(String.format("%02x ", b & 0xff));
        }
        return s.toString().strip();
    }

    /** At most 120 characters, with line breaks and other control characters shown as escapes (one-line messages). */
    private static String abbreviate(String text) {
        StringBuilder shown = new StringBuilder();
        for (char c : text.toCharArray()) {
            shown.append(c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t"
                    : Character.isISOControl(c) ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        String result = shown.toString();
        return result.length() <= 120 ? result : result.substring(0, 117) + "...";
    }
}
