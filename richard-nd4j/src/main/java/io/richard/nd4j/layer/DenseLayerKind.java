package io.richard.nd4j.layer;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import io.richard.api.Activation;
import io.richard.api.Layer;
import io.richard.api.Shape;
import io.richard.api.spec.DenseLayerSpec;
import io.richard.api.spec.LayerSpec;
import io.richard.api.spec.OutputLayerSpec;
import io.richard.nd4j.activation.Activations;
import io.richard.nd4j.activation.Sigmoid;
import io.richard.nd4j.kernel.Kernels;
import io.richard.nd4j.loss.OutputCost;
import io.richard.nd4j.onnx.OnnxProto;
import io.richard.nd4j.onnx.OnnxGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Dense and output layers ({@link DenseLayer}; sigmoid, or an output layer's softmax): {@code W} (n_out, n_in) and
 * {@code b} (1, n_out); in a network file, the n_out biases, then the weights row by row (one row per output neuron).
 * An output layer's activation and cost come from its description ({@link OutputCost}).
 */
public final class DenseLayerKind<S extends LayerSpec> implements LayerKind<S> {

    /** Hidden dense layers. */
    public static final DenseLayerKind<DenseLayerSpec> HIDDEN = new DenseLayerKind<>(DenseLayerSpec.class);
    /** The output layer. */
    public static final DenseLayerKind<OutputLayerSpec> OUTPUT = new DenseLayerKind<>(OutputLayerSpec.class);

    private final Class<S> specClass;

    private DenseLayerKind(Class<S> specClass) {
        this.specClass = specClass;
    }

    @Override
    public Class<S> specClass() {
        return specClass;
    }

    @Override
    public List<ParameterShape> parameters(S spec, Shape input) {
        long size = spec.outputShape(input).size();
        return List.of(new ParameterShape("W", new long[] {size, input.size()}),
                new ParameterShape("b", new long[] {1, size}));
    }

    @Override
    public Layer build(S spec, Shape input, Map<String, INDArray> parameters, long dropoutSeed, Kernels kernels) {
        Activation activation = spec instanceof OutputLayerSpec output ? OutputCost.of(output).layerActivation()
                : Sigmoid.INSTANCE;
        return new DenseLayer(spec, input, activation, parameters.get("W"), parameters.get("b"), dropoutSeed,
                kernels);
    }

    @Override
    public Map<String, INDArray> initialParameters(S spec, Shape input, ReferenceInitializer init, DataType type) {
        int size = spec.outputShape(input).size();
        return Map.of("W", init.denseWeights(size, input.size(), type), "b", Nd4j.zeros(type, 1, size));
    }

    @Override
    public float[] toReference(S spec, Map<String, INDArray> parameters) {
        float[] b = floats(parameters.get("b"));
        float[] W = floats(parameters.get("W"));
        float[] block = new float[b.length + W.length];
        System.arraycopy(b, 0, block, 0, b.length);
        System.arraycopy(W, 0, block, b.length, W.length);
        return block;
    }

    @Override
    public Map<String, INDArray> fromReference(S spec, Shape input, FloatBuffer block) {
        long[] shape = parameters(spec, input).get(0).shape();
        float[] b = new float[(int) shape[0]];
        float[] W = new float[(int) (shape[0] * shape[1])];
        block.get(b).get(W);
        return Map.of("W", Nd4j.create(W, shape, 'c'), "b", Nd4j.create(b, new long[] {1, shape[0]}, 'c'));
    }

    @Override
    public String describeReference(S spec, Shape input) {
        long[] w = parameters(spec, input).get(0).shape();
        return spec.type() + ", " + w[0] + " biases and " + w[0] + "×" + w[1] + " weights";
    }

    /**
     * (4) z = W a + b and (5) a = σ(z) for a batch: {@code Gemm(a, W, b)} with transB = 1 (z = a·Wᵀ + b; W is
     * Gemm's B as it is), then Sigmoid (Softmax over each row for an output layer with the softmax). A planar input
     * is flattened first (channel, row, column: the order of W's columns).
     */
    @Override
    public OnnxGraph.Value onnx(OnnxGraph graph, String prefix, String path, S spec, Map<String, INDArray> parameters,
            OnnxGraph.Value input) {
        OnnxGraph.Value in = graph.flat(input, prefix);
        INDArray W = parameters.get("W");
        String weights = graph.floats(prefix + ".W", W.shape(), W);
        String biases = graph.floats(prefix + ".b", new long[] {W.size(0)}, parameters.get("b"));
        String z = graph.node("Gemm", prefix + ".z", new String[] {in.name(), weights, biases},
                OnnxProto.intAttribute("transB", 1));
        return new OnnxGraph.Value(graph.activation(prefix, path, Activations.of(spec.activation()), z),
                spec.outputShape(in.shape()), false);
    }

    @Override
    public double trainingValues(S spec, Shape input, Shape output, long n) {
        double dropout = spec.dropoutRate() > 0 ? 3.0 * n * output.size() : 0;   // mask, dropped a, gated ∇a
        return 3.0 * n * output.size() + 2.0 * n * input.size() + dropout;    // z = a, δ, ∇a; the flat input, ∇input
    }

    @Override
    public double inferenceValues(S spec, Shape input, Shape output, long n) {
        return (double) n * input.size() + n * output.size();
    }

    /** The values of a parameter as float32, in C order. */
    static float[] floats(INDArray value) {
        return Nd4j.toFlattened('c', value.castTo(DataType.FLOAT)).toFloatVector();
    }
}
