package io.richard.nd4j.io;

import io.richard.api.Activation;
import io.richard.api.Layer;
import io.richard.api.ModelFormatException;
import io.richard.api.Shape;
import io.richard.nd4j.activation.Relu;
import io.richard.nd4j.io.OnnxGraph.Value;
import io.richard.nd4j.layer.ConvolutionalLayer;
import io.richard.nd4j.layer.DenseLayer;
import io.richard.nd4j.layer.MaxPoolingLayer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The ONNX nodes of each kind of layer (opset 13), one self-contained function per kind: it takes the graph, the
 * layer and the value coming in, adds the layer's nodes and parameters, and returns the value going out. Parameters
 * are copied flat: the layers' layouts are ONNX's (dense W (n_out, n_in) is Gemm's B with transB = 1; kernels
 * (D, C, kH, kW) are Conv's W, and (N, D, H, W) is the memory order of the reference's samples), so nothing is
 * transposed or permuted. {@link #layer} picks the function for a layer: when each layer kind has its one
 * registration point, each kind's function moves there and {@link #layer} asks the kind instead.
 */
final class OnnxLayers {

    private OnnxLayers() {
    }

    /** The nodes of {@code layer}, the {@code index}-th of the network ({@code path} names it in messages). */
    static Value layer(OnnxGraph graph, int index, String path, Layer layer, Value input) {
        String prefix = "layer" + index;
        if (layer instanceof DenseLayer dense) {
            return dense(graph, prefix, path, dense, input);
        }
        if (layer instanceof ConvolutionalLayer conv) {
            return convolutional(graph, prefix, path, conv, input);
        }
        if (layer instanceof MaxPoolingLayer pool) {
            return maxPooling(graph, prefix, pool, input);
        }
        throw new ModelFormatException("cannot export " + path + " to ONNX: no ONNX nodes are defined for a layer of"
                + " type " + layer.getClass().getSimpleName());
    }

    /**
     * A dense (or output) layer, (1) z = W a + b and (2) a = σ(z) for a batch: {@code Gemm(a, W, b)} with transB = 1
     * (z = a·Wᵀ + b), then the activation. A planar input is flattened first (channel, row, column: the order the
     * layer's columns of W follow).
     */
    static Value dense(OnnxGraph graph, String prefix, String path, DenseLayer layer, Value input) {
        Value in = graph.flat(input, prefix);
        INDArray W = layer.weights();
        INDArray b = layer.biases();
        long out = W.size(0);
        String weights = graph.floats(prefix + ".W", new long[] {out, W.size(1)}, W);
        String biases = graph.floats(prefix + ".b", new long[] {out}, b);
        String z = graph.node("Gemm", prefix + ".z", new String[] {in.name(), weights, biases},
                OnnxProto.intAttribute("transB", 1));
        String a = activation(graph, prefix, path, layer.activation(), z);
        return new Value(a, layer.outputShape(), false);
    }

    /**
     * A convolutional layer, (24) z = W ⋆ a + b (valid cross-correlation, stride 1; ONNX's Conv does not flip the
     * kernel either) and (25) a = R(z): {@code Conv(a, W, b)} with kernel_shape [kH, kW], then {@code Relu}.
     */
    static Value convolutional(OnnxGraph graph, String prefix, String path, ConvolutionalLayer layer, Value input) {
        Value in = graph.planar(input, prefix);
        INDArray W = layer.kernels();
        long[] dims = W.shape();                                  // (D, C, kH, kW)
        String weights = graph.floats(prefix + ".W", dims, W);
        String biases = graph.floats(prefix + ".b", new long[] {dims[0]}, layer.biases());
        String z = graph.node("Conv", prefix + ".z", new String[] {in.name(), weights, biases},
                OnnxProto.intsAttribute("dilations", 1, 1), OnnxProto.intAttribute("group", 1),
                OnnxProto.intsAttribute("kernel_shape", dims[2], dims[3]), OnnxProto.intsAttribute("pads", 0, 0, 0, 0),
                OnnxProto.intsAttribute("strides", 1, 1));
        String a = activation(graph, prefix, path, Relu.INSTANCE, z);         // a convolution's activation is R
        return new Value(a, layer.outputShape(), true);
    }

    /** A max-pooling layer, (29) the maximum of each region [rW, rH]: {@code MaxPool} with kernel and strides [rH, rW]. */
    static Value maxPooling(OnnxGraph graph, String prefix, MaxPoolingLayer layer, Value input) {
        Value in = graph.planar(input, prefix);
        long rW = layer.spec().regionSize().width();
        long rH = layer.spec().regionSize().height();
        String a = graph.node("MaxPool", prefix + ".a", new String[] {in.name()},
                OnnxProto.intsAttribute("kernel_shape", rH, rW), OnnxProto.intsAttribute("pads", 0, 0, 0, 0),
                OnnxProto.intsAttribute("strides", rH, rW));
        Shape out = layer.outputShape();
        return new Value(a, out, true);
    }

    /** The node of an activation: Sigmoid for σ, Relu for R. */
    static String activation(OnnxGraph graph, String prefix, String path, Activation activation, String z) {
        return switch (activation.name()) {
            case "sigmoid" -> graph.node("Sigmoid", prefix + ".a", new String[] {z});
            case "relu" -> graph.node("Relu", prefix + ".a", new String[] {z});
            default -> throw new ModelFormatException("cannot export " + path + " to ONNX: its activation "
                    + activation.name() + " has no ONNX operator here (sigmoid and relu have)");
        };
    }
}
