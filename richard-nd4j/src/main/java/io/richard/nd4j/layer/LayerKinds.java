package io.richard.nd4j.layer;

import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.richard.api.Layer;
import io.richard.api.Parameter;
import io.richard.api.Shape;
import io.richard.api.spec.LayerSpec;
import io.richard.nd4j.kernel.Kernels;
import io.richard.nd4j.onnx.OnnxGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The registry of layer kinds: every {@link LayerSpec} record has exactly one {@link LayerKind}. The rest of the
 * framework (the network, the model files, the memory estimate) asks here instead of testing which kind a layer
 * is; the static methods take any description and dispatch to its kind.
 */
public final class LayerKinds {

    private static final List<LayerKind<?>> ALL = List.of(DenseLayerKind.HIDDEN, DenseLayerKind.OUTPUT,
            ConvolutionalLayerKind.INSTANCE, MaxPoolingLayerKind.INSTANCE);

    private LayerKinds() {
    }

    /** The kind of a description. */
    @SuppressWarnings("unchecked")
    public static <S extends LayerSpec> LayerKind<S> of(S spec) {
        for (LayerKind<?> kind : ALL) {
            if (kind.specClass() == spec.getClass()) {
                return (LayerKind<S>) kind;
            }
        }
        throw new IllegalStateException("no layer kind is registered for " + spec.getClass().getName());
    }

    /** Every registered kind. */
    public static List<LayerKind<?>> all() {
        return ALL;
    }

    /** {@link LayerKind#parameters} of the description's kind. */
    public static List<ParameterShape> parameters(LayerSpec spec, Shape input) {
        return of(spec).parameters(spec, input);
    }

    /** {@link LayerKind#build} of the description's kind. */
    public static Layer build(LayerSpec spec, Shape input, Map<String, INDArray> parameters, long dropoutSeed,
            Kernels kernels) {
        return of(spec).build(spec, input, parameters, dropoutSeed, kernels);
    }

    /** A new layer with the reference's initial parameters. */
    public static Layer create(LayerSpec spec, Shape input, ReferenceInitializer init, DataType type, long dropoutSeed,
            Kernels kernels) {
        LayerKind<LayerSpec> kind = of(spec);
        return kind.build(spec, input, kind.initialParameters(spec, input, init, type), dropoutSeed, kernels);
    }

    /** A layer's parameter values by name (the arrays themselves, not copies). */
    public static Map<String, INDArray> values(Layer layer) {
        Map<String, INDArray> values = new LinkedHashMap<>();
        for (Parameter p : layer.parameters()) {
            values.put(p.name(), p.value());
        }
        return values;
    }

    /** {@link LayerKind#toReference} of the description's kind. */
    public static float[] toReference(LayerSpec spec, Map<String, INDArray> parameters) {
        return of(spec).toReference(spec, parameters);
    }

    /** {@link LayerKind#fromReference} of the description's kind. */
    public static Map<String, INDArray> fromReference(LayerSpec spec, Shape input, FloatBuffer block) {
        return of(spec).fromReference(spec, input, block);
    }

    /** {@link LayerKind#describeReference} of the description's kind. */
    public static String describeReference(LayerSpec spec, Shape input) {
        return of(spec).describeReference(spec, input);
    }

    /** {@link LayerKind#trainingValues} plus {@link LayerKind#inferenceValues} of the description's kind. */
    public static double values(LayerSpec spec, Shape input, Shape output, long miniBatch, long inferenceBatch) {
        LayerKind<LayerSpec> kind = of(spec);
        return kind.trainingValues(spec, input, output, miniBatch) + kind.inferenceValues(spec, input, output,
                inferenceBatch);
    }

    /** {@link LayerKind#onnx}: the nodes of {@code layer}, built from its description and parameters. */
    public static OnnxGraph.Value onnx(OnnxGraph graph, String prefix, String path, Layer layer, OnnxGraph.Value input) {
        return of(layer.spec()).onnx(graph, prefix, path, layer.spec(), values(layer), input);
    }

    /** {@link LayerKind#splitsWell} of the description's kind. */
    public static boolean splitsWell(LayerSpec spec) {
        return of(spec).splitsWell();
    }
}
