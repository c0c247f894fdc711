package io.richard.nd4j.layer;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import io.richard.api.Layer;
import io.richard.api.Shape;
import io.richard.api.spec.MaxPoolingLayerSpec;
import io.richard.nd4j.kernel.Kernels;
import io.richard.nd4j.onnx.OnnxProto;
import io.richard.nd4j.onnx.OnnxGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Max-pooling layers ({@link MaxPoolingLayer}): no parameters, nothing in a network file. */
public final class MaxPoolingLayerKind implements LayerKind<MaxPoolingLayerSpec> {

    public static final MaxPoolingLayerKind INSTANCE = new MaxPoolingLayerKind();

    private MaxPoolingLayerKind() {
    }

    @Override
    public Class<MaxPoolingLayerSpec> specClass() {
        return MaxPoolingLayerSpec.class;
    }

    @Override
    public List<ParameterShape> parameters(MaxPoolingLayerSpec spec, Shape input) {
        return List.of();
    }

    @Override
    public Layer build(MaxPoolingLayerSpec spec, Shape input, Map<String, INDArray> parameters, long dropoutSeed,
            Kernels kernels) {
        return new MaxPoolingLayer(spec, input, kernels);
    }

    @Override
    public Map<String, INDArray> initialParameters(MaxPoolingLayerSpec spec, Shape input, ReferenceInitializer init,
            DataType type) {
        return Map.of();
    }

    @Override
    public float[] toReference(MaxPoolingLayerSpec spec, Map<String, INDArray> parameters) {
        return new float[0];
    }

    @Override
    public Map<String, INDArray> fromReference(MaxPoolingLayerSpec spec, Shape input, FloatBuffer block) {
        return Map.of();
    }

    @Override
    public String describeReference(MaxPoolingLayerSpec spec, Shape input) {
        return "max pooling, no parameters";
    }

    /** (29) the maximum of each region [rW, rH]: {@code MaxPool} with kernel and strides [rH, rW]. */
    @Override
    public OnnxGraph.Value onnx(OnnxGraph graph, String prefix, String path, MaxPoolingLayerSpec spec,
            Map<String, INDArray> parameters, OnnxGraph.Value input) {
        OnnxGraph.Value in = graph.planar(input, prefix);
        long rW = spec.regionSize().width();
        long rH = spec.regionSize().height();
        String a = graph.node("MaxPool", prefix + ".a", new String[] {in.name()},
                OnnxProto.intsAttribute("kernel_shape", rH, rW), OnnxProto.intsAttribute("pads", 0, 0, 0, 0),
                OnnxProto.intsAttribute("strides", rH, rW));
        return new OnnxGraph.Value(a, spec.outputShape(in.shape()), true);
    }

    @Override
    public double trainingValues(MaxPoolingLayerSpec spec, Shape input, Shape output, long n) {
        // the maxima, the candidate offset, the raised masks and the routed δ; the input gradient
        return 3.0 * n * input.size() + n * output.size();
    }

    @Override
    public double inferenceValues(MaxPoolingLayerSpec spec, Shape input, Shape output, long n) {
        return (double) n * input.size() + n * output.size();
    }
}
