package io.richard.nd4j.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import io.richard.api.ConfigException;
import io.richard.api.ModelFormatException;
import io.richard.api.spec.ConvolutionalLayerSpec;
import io.richard.api.spec.LayerSpec;
import io.richard.api.spec.MaxPoolingLayerSpec;
import io.richard.api.spec.ModelSpec;
import io.richard.nd4j.Network;
import io.richard.nd4j.io.ParameterLayout.Expected;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The network file of the C++ reference Richard, read and written so that networks move both ways between the
 * two programs.
 *
 * <pre>
 * uint64, little-endian     L, the byte length of the config text
 * L bytes                   the whole training config as compact JSON, keys sorted alphabetically
 * per layer, in order       dense / output: size float32 biases, then size × inputSize float32 weights,
 *                                           row-major, one row per output neuron
 *                           convolutional:  per filter d: 1 float32 bias, then kW·kH·inputDepth float32
 *                                           kernel values, index z·kW·kH + y·kW + x
 *                           maxPooling:     nothing
 * </pre>
 *
 * <p>The file has no magic number, version or checksum, and the reference checks nothing when it reads one.
 * This reader checks that the config describes a valid network and that the parameter blocks fill the rest of
 * the file exactly. The config is read by {@link DescriptionReader}, as a config file is, with one difference:
 * keys this implementation does not know are ignored (logged at debug level), because the C++ program keeps
 * every key of the config it trained with ({@code gpu}, keys it never reads) and writes them all into the file.
 * Its output layer has no {@code type} key, as the C++ program writes it. Networks are always float32 in this
 * format.
 */
public final class ReferenceNetworkFile {

    private static final Logger LOG = LoggerFactory.getLogger(ReferenceNetworkFile.class);

    private ReferenceNetworkFile() {
    }

    /**
     * Loads a reference network file as a float32 network.
     *
     * @throws ModelFormatException naming the file and the problem: missing, too short, an impossible config
     *                              length, invalid config, a truncated parameter block (naming the layer and the
     *                              byte counts) or trailing bytes
     */
    public static Network load(Path file) {
        ModelArchive.checkReadable(file);
        long fileSize;
        try {
            fileSize = Files.size(file);
        } catch (IOException e) {
            throw new ModelFormatException("cannot read network file " + file + ": " + e, e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            return read(file, in, fileSize);
        } catch (IOException e) {
            throw new ModelFormatException("cannot read network file " + file + ": " + e, e);
        }
    }

    private static Network read(Path file, InputStream in, long fileSize) throws IOException {
        if (fileSize < Long.BYTES) {
            throw new ModelFormatException(file + " is not a Richard network file: it has " + fileSize
                    + " bytes, fewer than the 8-byte config length it must start with");
        }
        long configLength = ByteBuffer.wrap(in.readNBytes(Long.BYTES)).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (configLength == 0) {
            throw new ModelFormatException(file + " is not a Richard network file: it starts with a config length of"
                    + " 0 bytes; expected the length of the JSON config that follows");
        }
        if (configLength < 0 || configLength > fileSize - Long.BYTES) {
            throw new ModelFormatException(file + " is not a Richard network file: it starts with a config length of "
                    + Long.toUnsignedString(configLength) + " bytes, but the file has only " + fileSize + " bytes");
        }
        byte[] configBytes = in.readNBytes((int) Math.min(configLength, Integer.MAX_VALUE));
        if (configBytes.length != configLength) {
            throw new ModelFormatException(file + ": the config of " + configLength + " bytes cannot be read whole");
        }
        String source = file + " (network file config)";
        List<String> notes = new ArrayList<>();
        ModelSpec model;
        try {
            // The C++ program keeps every key of its config (gpu, keys it never reads): ignored here, with a note.
            model = DescriptionReader.parseJson(new String(configBytes, StandardCharsets.UTF_8), source)
                    .model("", Set.of(), DescriptionReader.UnknownKeys.IGNORE, notes);
        } catch (ConfigException e) {
            throw new ModelFormatException(e.getMessage(), e);
        }
        notes.forEach(note -> LOG.debug("{}", note));

        List<LayerSpec> specs = model.network().layers();
        List<Expected> expected = ParameterLayout.expected(model);
        long offset = Long.BYTES + configLength;
        long needed = offset;
        for (Expected parameter : expected) {
            needed += 4L * length(parameter.shape());
        }
        Map<Integer, Map<String, INDArray>> values = new HashMap<>();
        for (int l = 0; l < specs.size(); l++) {
            List<Expected> layerParameters = ofLayer(expected, l);
            if (layerParameters.isEmpty()) {
                continue;
            }
            long blockBytes = 4L * layerParameters.stream().mapToLong(p -> length(p.shape())).sum();
            byte[] block = in.readNBytes((int) Math.min(blockBytes, Integer.MAX_VALUE));
            if (block.length < blockBytes) {
                throw new ModelFormatException(file + " is truncated: expected " + blockBytes + " bytes of parameters"
                        + " for " + model.network().path(l) + " (" + describe(specs.get(l), layerParameters)
                        + ") at byte " + offset + ", found " + block.length + " (the file has " + fileSize
                        + " bytes, the config implies " + needed + ")");
            }
            offset += blockBytes;
            FloatBuffer floats = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            Map<String, INDArray> layerValues = specs.get(l) instanceof ConvolutionalLayerSpec
                    ? readConvolutional(floats, layerParameters) : readDense(floats, layerParameters);
            for (Expected parameter : layerParameters) {
                ParameterLayout.requireFinite(file, parameter, layerValues.get(parameter.name()));
            }
            values.put(l, layerValues);
        }
        long trailing = fileSize - offset;
        if (trailing > 0 || in.read() != -1) {
            throw new ModelFormatException(file + " has " + Math.max(trailing, 1) + " trailing bytes after the"
                    + " parameters of the last layer: the config implies " + needed + " bytes, the file has "
                    + fileSize + "; the file is damaged or its config does not match its parameters");
        }
        return ParameterLayout.build(model, values);
    }

    private static List<Expected> ofLayer(List<Expected> expected, int layer) {
        return expected.stream().filter(p -> p.layer() == layer).toList();
    }

    private static long length(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    private static String describe(LayerSpec spec, List<Expected> parameters) {
        long[] w = parameters.stream().filter(p -> p.name().equals("W")).findFirst().orElseThrow().shape();
        if (spec instanceof ConvolutionalLayerSpec) {
            return "convolutional, " + w[0] + " filters of " + w[3] + "×" + w[2] + "×" + w[1] + " plus one bias each";
        }
        return spec.type() + ", " + w[0] + " biases and " + w[0] + "×" + w[1] + " weights";
    }

    /** Dense and output: {@code size} biases, then the weights row by row. */
    private static Map<String, INDArray> readDense(FloatBuffer floats, List<Expected> parameters) {
        long[] shape = parameter(parameters, "W").shape();
        float[] b = new float[(int) shape[0]];
        float[] W = new float[(int) (shape[0] * shape[1])];
        floats.get(b).get(W);
        return Map.of("W", Nd4j.create(W, shape, 'c'), "b", Nd4j.create(b, new long[] {1, shape[0]}, 'c'));
    }

    /** Convolutional: per filter, its bias, then its kernel (C, kH, kW) with x fastest. */
    private static Map<String, INDArray> readConvolutional(FloatBuffer floats, List<Expected> parameters) {
        long[] shape = parameter(parameters, "W").shape();
        int depth = (int) shape[0];
        int perFilter = (int) (shape[1] * shape[2] * shape[3]);
        float[] b = new float[depth];
        float[] W = new float[depth * perFilter];
        for (int d = 0; d < depth; d++) {
            b[d] = floats.get();
            floats.get(W, d * perFilter, perFilter);
        }
        return Map.of("W", Nd4j.create(W, shape, 'c'), "b", Nd4j.create(b, new long[] {1, depth}, 'c'));
    }

    private static Expected parameter(List<Expected> parameters, String name) {
        return parameters.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }

    /**
     * Writes a network in the reference's format, replacing {@code file} atomically, so the C++ program can
     * evaluate it. The config is the network's model description as compact JSON with sorted keys, every hidden
     * layer with its {@code type} and the output layer with {@code "type":"output"}. Parameters are written as
     * float32 whatever the network's data type.
     *
     * @throws java.io.UncheckedIOException naming the file when it cannot be written
     */
    public static void save(Path file, Network network) {
        OutputFiles.write(file, "network file", out -> write(out, network));
    }

    private static void write(OutputStream out, Network network) throws IOException {
        ModelSpec model = network.model();
        List<Expected> expected = ParameterLayout.expected(model);
        List<LayerSpec> specs = model.network().layers();
        List<byte[]> blocks = new ArrayList<>();
        for (int l = 0; l < specs.size(); l++) {
            List<Expected> layerParameters = ofLayer(expected, l);
            if (specs.get(l) instanceof MaxPoolingLayerSpec || layerParameters.isEmpty()) {
                continue;
            }
            float[] W = floats(ParameterLayout.value(network, parameter(layerParameters, "W")));
            float[] b = floats(ParameterLayout.value(network, parameter(layerParameters, "b")));
            ByteBuffer block = ByteBuffer.allocate(4 * (W.length + b.length)).order(ByteOrder.LITTLE_ENDIAN);
            FloatBuffer floats = block.asFloatBuffer();
            if (specs.get(l) instanceof ConvolutionalLayerSpec) {
                int perFilter = W.length / b.length;
                for (int d = 0; d < b.length; d++) {
                    floats.put(b[d]).put(W, d * perFilter, perFilter);
                }
            } else {
                floats.put(b).put(W);
            }
            blocks.add(block.array());
        }
        byte[] config = ModelJson.STRICT.writeValueAsBytes(ModelJson.sorted(ModelJson.toTree(model)));
        out.write(ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(config.length).array());
        out.write(config);
        for (byte[] block : blocks) {
            out.write(block);
        }
    }

    /** The values of a parameter as float32, in C order. */
    private static float[] floats(INDArray value) {
        return Nd4j.toFlattened('c', value.castTo(DataType.FLOAT)).toFloatVector();
    }
}
