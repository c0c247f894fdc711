package io.richard.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Files laid out byte for byte as the C++ Richard writes them, built from spec/richard-reference.md alone (§1:
 * the config lives in {@code std::map}s, so its keys come out sorted; §6: the network file), never by our own
 * {@code ReferenceNetworkFile} writer:
 *
 * <pre>
 * size_t (8 bytes, little-endian)   L, the byte length of the config text
 * L bytes                           the whole config as nlohmann::json dumps it: compact, keys sorted by byte
 *                                   value, integers as written, floating-point numbers with a fraction (1.0, 0.0)
 * float32 little-endian, per layer  dense/output: size biases, then size × inputSize weights, one row per neuron;
 *                                   convolutional: per filter its bias, then kW·kH·inputDepth kernel values
 *                                   (index z·kW·kH + y·kW + x); maxPooling: nothing
 * </pre>
 */
final class CppFiles {

    private CppFiles() {
    }

    /** A JSON object of the reference's config: a {@code std::map}, so its keys iterate in sorted order. */
    static Map<String, Object> object(Object... keysAndValues) {
        Map<String, Object> map = new TreeMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    /**
     * nlohmann::json's {@code dump()}: no spaces, keys in the map's order; an integer is printed as written and a
     * double as the shortest text that reads back to it, with ".0" when it has no fraction (the reference stores
     * JSON integers as {@code long} and floats as {@code double}, §1.1).
     */
    static String json(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value);
        return out.toString();
    }

    private static void write(StringBuilder out, Object value) {
        if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                out.append(first ? "" : ",");
                first = false;
                write(out, entry.getKey());
                out.append(':');
                write(out, entry.getValue());
            }
            out.append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                out.append(i == 0 ? "" : ",");
                write(out, list.get(i));
            }
            out.append(']');
        } else if (value instanceof String text) {
            if (!text.matches("[ -~&&[^\"\\\\]]*")) {
                throw new IllegalArgumentException("only plain ASCII strings in these fixtures: " + text);
            }
            out.append('"').append(text).append('"');
        } else if (value instanceof Integer || value instanceof Long) {
            out.append(value);
        } else if (value instanceof Double d) {
            String text = Double.toString(d);           // shortest round trip; "1.0" for integral values
            if (text.contains("E") || d.isNaN() || d.isInfinite()) {
                throw new IllegalArgumentException("only plain decimals in these fixtures: " + d);
            }
            out.append(text);
        } else if (value instanceof Boolean b) {
            out.append(b);
        } else {
            throw new IllegalArgumentException("not a JSON value of the reference's config: " + value);
        }
    }

    /** The bytes of a network file: config length, config text, then the float32 parameters. */
    static byte[] networkFile(String config, float[] parameters) {
        byte[] text = config.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(text.length).array());
        out.writeBytes(text);
        ByteBuffer floats = ByteBuffer.allocate(4 * parameters.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float p : parameters) {
            floats.putFloat(p);
        }
        out.writeBytes(floats.array());
        return out.toByteArray();
    }

    static Path write(Path file, String config, float[] parameters) throws IOException {
        Files.write(file, networkFile(config, parameters));
        return file;
    }

    /** The config text of a network file, read as the reference reads it (length, then that many bytes). */
    static String config(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        long length = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return new String(bytes, 8, (int) length, StandardCharsets.UTF_8);
    }

    /** The float32 parameters after the config of a network file. */
    static float[] parameters(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        long length = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        int start = 8 + (int) length;
        if ((bytes.length - start) % 4 != 0) {
            throw new IllegalStateException(file + ": " + (bytes.length - start) + " bytes of parameters");
        }
        float[] floats = new float[(bytes.length - start) / 4];
        ByteBuffer.wrap(bytes, start, bytes.length - start).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(floats);
        return floats;
    }
}
