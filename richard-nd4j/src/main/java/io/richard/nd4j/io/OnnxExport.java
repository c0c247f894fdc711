package io.richard.nd4j.io;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.richard.api.Layer;
import io.richard.api.ModelFormatException;
import io.richard.api.Shape;
import io.richard.api.spec.ModelSpec;
import io.richard.api.spec.Normalization;
import io.richard.api.spec.OutputLayerSpec;
import io.richard.nd4j.Network;
import io.richard.nd4j.layer.LayerKinds;
import io.richard.nd4j.onnx.OnnxGraph;
import io.richard.nd4j.onnx.OnnxGraph.Value;
import io.richard.nd4j.onnx.OnnxProto;

/**
 * Exports a network to an ONNX model (opset 13, IR version 8) that ONNX Runtime and other ONNX tools run:
 *
 * <ul>
 *   <li>input {@code "input"}: float32 (N, W·H·D), the <b>raw</b> sample values as they are in the data files, in the
 *       reference's order (x fastest, then y, then channel); the graph applies the model's normalisation
 *       (x − min) / (max − min) itself;</li>
 *   <li>output {@code "output"}: float32 (N, classes), the output layer's sigmoid activations (or softmax
 *       probabilities), one column per class in the order of the metadata's {@code classes}; the predicted class is
 *       the column of the largest (the first one on a tie, as {@link Network#predict});</li>
 *   <li>dense layers as Gemm + Sigmoid (an output layer's softmax as Softmax over axis 1), convolutions as Conv
 *       (valid, stride 1) + Relu, max pooling as MaxPool, Reshape/Flatten between flat and planar values; dropout
 *       is a training-time thing and adds nothing; the cost and the optimiser are training things too;</li>
 *   <li>metadata ({@code metadata_props}): {@code classes} (a JSON array), {@code model} (the model description
 *       as in a model archive's {@code richard-model.json}), {@code input} and {@code output} (what they hold, in
 *       words), {@code normalization}, and the caller's metadata (e.g. a model archive's).</li>
 * </ul>
 *
 * <p>Every network richard builds can be exported today; a layer or activation with no ONNX operators would be
 * refused with a {@link ModelFormatException} naming it, as is a model over 2 GiB (protobuf's limit for one file).
 */
public final class OnnxExport {

    /** The ONNX operator set the graph uses. */
    public static final int OPSET = 13;
    /** The ONNX IR version written (ONNX 1.10-1.12's; ONNX Runtime 1.20 reads 3 to 10). */
    public static final int IR_VERSION = 8;
    /** The graph's input and output names. */
    public static final String INPUT = "input";
    public static final String OUTPUT = "output";

    /** Protobuf's limit on one message; parameters beyond this need ONNX's external data, which is not written. */
    private static final long MAX_BYTES = Integer.MAX_VALUE - (1 << 20);

    private OnnxExport() {
    }

    /**
     * Writes {@code network} as an ONNX model to {@code file}, replacing it atomically (a crash leaves the old file
     * or the new one; a FIFO or character device is written through: {@link OutputFiles}).
     *
     * @param metadata more {@code metadata_props} entries (e.g. the metadata of the model archive it came from)
     */
    public static void save(Path file, Network network, Map<String, String> metadata) {
        byte[] model = toBytes(network, metadata);
        OutputFiles.write(file, "ONNX model", out -> out.write(model));
    }

    /** The ONNX model of {@code network} as bytes ({@link #save}). */
    public static byte[] toBytes(Network network, Map<String, String> metadata) {
        ModelSpec model = network.model();
        long parameterBytes = 4 * network.parameterCount();
        if (parameterBytes > MAX_BYTES) {
            throw new ModelFormatException("cannot export to ONNX: the network's " + network.parameterCount()
                    + " parameters take " + parameterBytes + " bytes as float32, more than the 2 GiB one ONNX file"
                    + " can hold (ONNX's external data files are not written)");
        }
        OnnxGraph graph = new OnnxGraph();
        graph.fresh(INPUT);
        Shape shape = model.inputShape();
        Normalization n = model.data().normalization();
        // the data loaders' (x − min) / (max − min), in float32
        String min = graph.floats("normalization.min", new long[0], new float[] {(float) n.min()});
        String range = graph.floats("normalization.range", new long[0], new float[] {(float) (n.max() - n.min())});
        String shifted = graph.node("Sub", "normalization.shifted", new String[] {INPUT, min});
        Value value = new Value(graph.node("Div", "normalized", new String[] {shifted, range}), shape, false);
        List<Layer> layers = network.layers();
        for (int l = 0; l < layers.size(); l++) {
            // each layer kind adds its own nodes (LayerKind.onnx)
            value = LayerKinds.onnx(graph, "layer" + l, model.network().path(l) + " (" + layers.get(l).spec().describe()
                    + ")", layers.get(l), value);
        }
        value = graph.flat(value, "output");
        graph.nameLastOutput(OUTPUT);

        int classes = model.classes().size();
        String inputDoc = "raw sample values, float32 (N, " + shape.size() + ") for shape " + shape
                + " [W, H, D]: x fastest, then y, then channel; normalised in the graph as (x - " + number(n.min())
                + ") / (" + number(n.max()) + " - " + number(n.min()) + ")";
        String outputDoc = (model.network().outputLayer().activation().equals(OutputLayerSpec.SOFTMAX)
                ? "softmax probabilities" : "sigmoid activations") + " of the output layer, float32 (N, " + classes
                + "): one column per class, in the order of the metadata's classes; the predicted class is the largest";
        OnnxProto g = new OnnxProto();
        for (OnnxProto node : graph.nodes()) {
            g.message(1, node);
        }
        g.string(2, "richard");
        for (OnnxProto initializer : graph.initializers()) {
            g.message(5, initializer);
        }
        g.string(10, describe(model));
        g.message(11, OnnxProto.floatValue(INPUT, new long[] {-1, shape.size()}, inputDoc));
        g.message(12, OnnxProto.floatValue(OUTPUT, new long[] {-1, classes}, outputDoc));

        Map<String, String> props = new LinkedHashMap<>();
        if (metadata != null) {
            props.putAll(metadata);
        }
        props.put("classes", json(model.classes()));
        props.put("model", json(ModelJson.toTree(model)));
        props.put("input", inputDoc);
        props.put("output", outputDoc);
        props.put("normalization", "[" + number(n.min()) + ", " + number(n.max()) + "]");

        String version = OnnxExport.class.getPackage().getImplementationVersion();
        OnnxProto m = new OnnxProto().varint(1, IR_VERSION).string(2, "richard")
                .string(3, version != null ? version : "development").string(4, "io.richard").varint(5, 1)
                .string(6, describe(model)).message(7, g).message(8, OnnxProto.opset("", OPSET));
        for (Map.Entry<String, String> entry : props.entrySet()) {
            m.message(14, OnnxProto.entry(entry.getKey(), entry.getValue()));
        }
        return m.toByteArray();
    }

    /** "A richard classifier of 10 classes: [28, 28, 1] → conv 32@3×3 → … → output 10". */
    private static String describe(ModelSpec model) {
        StringBuilder s = new StringBuilder("A richard classifier of " + model.classes().size() + " classes: "
                + model.inputShape());
        model.network().layers().forEach(layer -> s.append(" → ").append(layer.describe()));
        return s.toString();
    }

    private static String json(Object value) {
        try {
            return ModelJson.STRICT.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }
}
