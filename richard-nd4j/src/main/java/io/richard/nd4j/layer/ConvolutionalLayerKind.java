package io.richard.nd4j.layer;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import io.richard.api.Layer;
import io.richard.api.Shape;
import io.richard.api.spec.ConvolutionalLayerSpec;
import io.richard.nd4j.kernel.FastCorrelation;
import io.richard.nd4j.kernel.Kernels;
import io.richard.nd4j.onnx.OnnxProto;
import io.richard.nd4j.onnx.OnnxGraph;
import io.richard.nd4j.activation.Relu;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Convolutional layers ({@link ConvolutionalLayer}, ReLU): {@code W} (D, C, kH, kW) and {@code b} (1, D); in a
 * network file, for each kernel d its bias and then its kW·kH·C values (x fastest, then y, then channel).
 */
public final class ConvolutionalLayerKind implements LayerKind<ConvolutionalLayerSpec> {

    public static final ConvolutionalLayerKind INSTANCE = new ConvolutionalLayerKind();

    private ConvolutionalLayerKind() {
    }

    @Override
    public Class<ConvolutionalLayerSpec> specClass() {
        return ConvolutionalLayerSpec.class;
    }

    @Override
    public List<ParameterShape> parameters(ConvolutionalLayerSpec spec, Shape input) {
        return List.of(new ParameterShape("W", new long[] {spec.depth(), input.depth(), spec.kernelSize().height(),
            spec.kernelSize().width()}), new ParameterShape("b", new long[] {1, spec.depth()}));
    }

    @Override
    public Layer build(ConvolutionalLayerSpec spec, Shape input, Map<String, INDArray> parameters, long dropoutSeed,
            Kernels kernels) {
        return new ConvolutionalLayer(spec, input, parameters.get("W"), parameters.get("b"), dropoutSeed, kernels);
    }

    @Override
    public Map<String, INDArray> initialParameters(ConvolutionalLayerSpec spec, Shape input, ReferenceInitializer init,
            DataType type) {
        return Map.of("W", init.kernels(spec.depth(), input.depth(), spec.kernelSize().height(),
                spec.kernelSize().width(), type), "b", Nd4j.zeros(type, 1, spec.depth()));
    }

    @Override
    public float[] toReference(ConvolutionalLayerSpec spec, Map<String, INDArray> parameters) {
        float[] b = DenseLayerKind.floats(parameters.get("b"));
        float[] W = DenseLayerKind.floats(parameters.get("W"));
        int perKernel = W.length / b.length;
        float[] block = new float[b.length + W.length];
        for (int d = 0; d < b.length; d++) {
            block[d * (perKernel + 1)] = b[d];
            System.arraycopy(W, d * perKernel, block, d * (perKernel + 1) + 1, perKernel);
        }
        return block;
    }

    @Override
    public Map<String, INDArray> fromReference(ConvolutionalLayerSpec spec, Shape input, FloatBuffer block) {
        long[] shape = parameters(spec, input).get(0).shape();
        int depth = (int) shape[0];
        int perKernel = (int) (shape[1] * shape[2] * shape[3]);
        float[] b = new float[depth];
        float[] W = new float[depth * perKernel];
        for (int d = 0; d < depth; d++) {
            b[d] = block.get();
            block.get(W, d * perKernel, perKernel);
        }
        return Map.of("W", Nd4j.create(W, shape, 'c'), "b", Nd4j.create(b, new long[] {1, depth}, 'c'));
    }

    @Override
    public String describeReference(ConvolutionalLayerSpec spec, Shape input) {
        return "convolutional, " + spec.depth() + " filters of " + spec.kernelSize().width() + "×"
                + spec.kernelSize().height() + "×" + input.depth() + " plus one bias each";
    }

    /**
     * (24) z = W ⋆ a + b (valid cross-correlation, stride 1; ONNX's Conv does not flip the kernel either) and (25)
     * a = R(z): {@code Conv(a, W, b)} with kernel_shape [kH, kW] (W (D, C, kH, kW) is Conv's W as it is), then
     * Relu.
     */
    @Override
    public OnnxGraph.Value onnx(OnnxGraph graph, String prefix, String path, ConvolutionalLayerSpec spec,
            Map<String, INDArray> parameters, OnnxGraph.Value input) {
        OnnxGraph.Value in = graph.planar(input, prefix);
        INDArray W = parameters.get("W");
        long[] dims = W.shape();                                              // (D, C, kH, kW)
        String weights = graph.floats(prefix + ".W", dims, W);
        String biases = graph.floats(prefix + ".b", new long[] {dims[0]}, parameters.get("b"));
        String z = graph.node("Conv", prefix + ".z", new String[] {in.name(), weights, biases},
                OnnxProto.intsAttribute("dilations", 1, 1), OnnxProto.intAttribute("group", 1),
                OnnxProto.intsAttribute("kernel_shape", dims[2], dims[3]), OnnxProto.intsAttribute("pads", 0, 0, 0, 0),
                OnnxProto.intsAttribute("strides", 1, 1));
        return new OnnxGraph.Value(graph.activation(prefix, path, Relu.INSTANCE, z), spec.outputShape(in.shape()),
                true);
    }

    @Override
    public double trainingValues(ConvolutionalLayerSpec spec, Shape input, Shape output, long n) {
        double dropout = spec.dropoutRate() > 0 ? 3.0 * n * output.size() : 0;
        double rows = (double) n * input.height() * input.width();
        // X (or the input stacked by kernel row, kH times larger), ∇X; z, ∇a, δ in full rows
        double in = FastCorrelation.byOutputRow(input, spec.kernelSize()) ? spec.kernelSize().height() + 1 : 2;
        return in * rows * input.depth() + 3 * rows * output.depth() + dropout;
    }

    @Override
    public double inferenceValues(ConvolutionalLayerSpec spec, Shape input, Shape output, long n) {
        double rows = (double) n * input.height() * input.width();
        double in = FastCorrelation.byOutputRow(input, spec.kernelSize()) ? spec.kernelSize().height() : 1;
        return in * rows * input.depth() + rows * output.depth();   // X (or stacked) and z (a is a view of z)
    }

    @Override
    public boolean splitsWell() {
        return true;
    }
}
