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
import io.richard.api.Layer;
import io.richard.api.ModelFormatException;
import io.richard.api.Shape;
import io.richard.api.spec.LayerSpec;
import io.richard.api.spec.ModelSpec;
import io.richard.api.spec.OutputLayerSpec;
import io.richard.nd4j.Network;
import io.richard.nd4j.io.ParameterLayout.Expected;
import io.richard.nd4j.layer.LayerKinds;
import org.nd4j.linalg.api.ndarray.INDArray;
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
        List<Shape> shapes = inputShapes(model);
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
                        + " for " + model.network().path(l) + " (" + LayerKinds.describeReference(specs.get(l),
                        shapes.get(l))
                        + ") at byte " + offset + ", found " + block.length + " (the file has " + fileSize
                        + " bytes, the config implies " + needed + ")");
            }
            offset += blockBytes;
            FloatBuffer floats = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            Map<String, INDArray> layerValues = LayerKinds.fromReference(specs.get(l), shapes.get(l), floats);
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

    /** The input shape of every layer, in network order. */
    private static List<Shape> inputShapes(ModelSpec model) {
        List<Shape> shapes = new ArrayList<>();
        Shape input = model.inputShape();
        for (LayerSpec spec : model.network().layers()) {
            shapes.add(input);
            input = spec.outputShape(input);
        }
        return shapes;
    }

    /**
     * Writes a network in the reference's format, replacing {@code file} atomically, so the C++ program can
     * evaluate it; a network the format cannot hold ({@link #unsupported}) is refused before anything is written. The config is the network's model description as compact JSON with sorted keys, every hidden
     * layer with its {@code type} and the output layer with {@code "type":"output"}. Parameters are written as
     * float32 whatever the network's data type.
     *
     * @throws java.io.UncheckedIOException naming the file when it cannot be written
     * @throws ModelFormatException         naming the file and the reason when the format cannot hold the network
     */
    public static void save(Path file, Network network) {
        unsupported(network.model()).ifPresent(why -> {
            throw new ModelFormatException("cannot write " + file + " as a network file of the C++ Richard: " + why
                    + "; save it as a model archive instead");
        });
        OutputFiles.write(file, "network file", out -> write(out, network));
    }

    /**
     * Why a network of this description cannot be written in the C++ program's format, or empty if it can: the
     * format holds the parameters and the config, and that program applies the sigmoid to its output layer, so a
     * network whose output layer applies the softmax would compute something else there. (A cross-entropy cost or
     * another optimiser only shape training: the file holds them in its config, which that program keeps and does
     * not read, and it computes the same outputs.)
     */
    public static java.util.Optional<String> unsupported(ModelSpec model) {
        if (model.network().outputLayer().activation().equals(OutputLayerSpec.SOFTMAX)) {
            return java.util.Optional.of("its output layer applies the softmax, which that program does not have (its"
                    + " output layers apply the sigmoid)");
        }
        return java.util.Optional.empty();
    }

    private static void write(OutputStream out, Network network) throws IOException {
        ModelSpec model = network.model();
        List<byte[]> blocks = new ArrayList<>();
        for (Layer layer : network.layers()) {
            float[] values = LayerKinds.toReference(layer.spec(), LayerKinds.values(layer));
            ByteBuffer block = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
            block.asFloatBuffer().put(values);
            blocks.add(block.array());
        }
        byte[] config = ModelJson.STRICT.writeValueAsBytes(ModelJson.sorted(ModelJson.toTree(model)));
        out.write(ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(config.length).array());
        out.write(config);
        for (byte[] block : blocks) {
            out.write(block);
        }
    }
}
