package io.richard.nd4j.onnx;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import io.richard.api.Activation;
import io.richard.api.ModelFormatException;
import io.richard.api.Shape;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An ONNX graph being built: its nodes in order, its initializers (the parameters and constants), and the values
 * that flow between nodes. A value is a batch of samples either flat, (N, W·H·D) in the reference's order (x fastest,
 * then y, then channel), or planar, (N, D, H, W) as ONNX's Conv and MaxPool take it; the two hold the same numbers
 * in the same memory order, so {@link #planar} and {@link #flat} only reshape.
 */
public final class OnnxGraph {

    /**
     * A tensor of the graph.
     *
     * @param name   its name in the graph
     * @param shape  the sample shape [W, H, D] it carries
     * @param planar true for (N, D, H, W), false for (N, W·H·D)
     */
    public record Value(String name, Shape shape, boolean planar) {
    }

    /** A node, written out when the model is. */
    private record Node(String opType, String name, String[] inputs, String output, OnnxProto[] attributes) {
        OnnxProto proto() {
            return OnnxProto.node(name, opType, inputs, output, attributes);
        }
    }

    private final List<Node> nodes = new ArrayList<>();
    private final List<OnnxProto> initializers = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private long parameterBytes;

    /** A name not used yet in the graph: {@code base}, or {@code base_2}, {@code base_3}, …. */
    public String fresh(String base) {
        String name = base;
        for (int i = 2; !names.add(name); i++) {
            name = base + "_" + i;
        }
        return name;
    }

    /** Adds a node named {@code name} (made unique), whose one output has its name; returns that name. */
    public String node(String opType, String name, String[] inputs, OnnxProto... attributes) {
        String unique = fresh(name);
        nodes.add(new Node(opType, unique, inputs, unique, attributes));
        return unique;
    }

    /** A float32 initializer holding {@code values} (cast to float32, in C order) with the given dims. */
    public String floats(String name, long[] dims, INDArray values) {
        INDArray floats = values.dataType() == DataType.FLOAT ? values : values.castTo(DataType.FLOAT);
        return floats(name, dims, floats.dup('c').data().asFloat());
    }

    /** A float32 initializer. */
    public String floats(String name, long[] dims, float[] values) {
        String unique = fresh(name);
        initializers.add(OnnxProto.floatTensor(unique, dims, values));
        parameterBytes += 4L * values.length;
        return unique;
    }

    /** An int64 initializer (a shape for Reshape). */
    public String int64s(String name, long[] dims, long[] values) {
        String unique = fresh(name);
        initializers.add(OnnxProto.int64Tensor(unique, dims, values));
        return unique;
    }

    /** {@code value} as (N, D, H, W): a Reshape when it is flat. */
    public Value planar(Value value, String prefix) {
        if (value.planar()) {
            return value;
        }
        Shape s = value.shape();
        String shape = int64s(prefix + ".shape", new long[] {4}, new long[] {-1, s.depth(), s.height(), s.width()});
        return new Value(node("Reshape", prefix + ".planar", new String[] {value.name(), shape}), s, true);
    }

    /** {@code value} as (N, D·H·W): a Flatten (axis 1) when it is planar; channel, then row, then column. */
    public Value flat(Value value, String prefix) {
        if (!value.planar()) {
            return value;
        }
        return new Value(node("Flatten", prefix + ".flat", new String[] {value.name()},
                OnnxProto.intAttribute("axis", 1)), value.shape(), false);
    }

    /** Renames the last node's output (the graph's output) to {@code name}. */
    public void nameLastOutput(String name) {
        Node last = nodes.get(nodes.size() - 1);
        if (!names.add(name)) {
            throw new IllegalStateException(name + " is taken");
        }
        nodes.set(nodes.size() - 1, new Node(last.opType(), last.name(), last.inputs(), name, last.attributes()));
    }

    public List<OnnxProto> nodes() {
        return nodes.stream().map(Node::proto).toList();
    }

    public List<OnnxProto> initializers() {
        return initializers;
    }

    /** Bytes of float parameters added so far. */
    public long parameterBytes() {
        return parameterBytes;
    }

    /**
     * The node of an activation, on the output {@code z} of the node before: Sigmoid for σ, Relu for R, Softmax over
     * axis 1 (each sample's outputs) for the softmax.
     *
     * @param path the layer, for the message when the activation has no operator here
     */
    public String activation(String prefix, String path, Activation activation, String z) {
        return switch (activation.name()) {
            case "sigmoid" -> node("Sigmoid", prefix + ".a", new String[] {z});
            case "relu" -> node("Relu", prefix + ".a", new String[] {z});
            case "softmax" -> node("Softmax", prefix + ".a", new String[] {z}, OnnxProto.intAttribute("axis", 1));
            default -> throw new ModelFormatException("cannot export " + path + " to ONNX: its activation "
                    + activation.name() + " has no ONNX operator here (sigmoid, relu and softmax have)");
        };
    }
}
