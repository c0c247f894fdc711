package io.richard.nd4j.layer;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import io.richard.api.Layer;
import io.richard.api.Shape;
import io.richard.api.spec.LayerSpec;
import io.richard.nd4j.kernel.Kernels;
import io.richard.nd4j.onnx.OnnxGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the framework knows of one kind of layer besides its equations (which its {@link Layer} class states): how
 * a layer is built from its description and parameters, the names and shapes of those parameters, their initial
 * values, their order in the C++ program's network file, the memory a mini-batch of the layer takes and its
 * nodes in an ONNX graph. One class
 * per kind, listed in {@link LayerKinds}; the description's side (config keys, output shape, summary line) is the
 * kind's {@link LayerSpec} record in richard-api. Adding a kind of layer means a spec record, a layer class and a
 * kind class, and one line in each of the two registries.
 *
 * @param <S> the description the kind builds from
 */
public interface LayerKind<S extends LayerSpec> {

    /** The description record of this kind. */
    Class<S> specClass();

    /** The parameters of a layer of this description on inputs of {@code input}, in the model archive's order. */
    List<ParameterShape> parameters(S spec, Shape input);

    /**
     * A layer on the given parameter arrays (taken over, not copied), by name as {@link #parameters} names them.
     *
     * @param dropoutSeed the seed of the layer's dropout masks (unused without dropout)
     */
    Layer build(S spec, Shape input, Map<String, INDArray> parameters, long dropoutSeed, Kernels kernels);

    /** The initial values of the parameters as the C++ program draws them ({@link ReferenceInitializer}). */
    Map<String, INDArray> initialParameters(S spec, Shape input, ReferenceInitializer init, DataType type);

    /** The parameters' values in the order the C++ program's network file holds them (float32). */
    float[] toReference(S spec, Map<String, INDArray> parameters);

    /** The parameters read from the layer's block of a network file, in the order {@link #toReference} writes. */
    Map<String, INDArray> fromReference(S spec, Shape input, FloatBuffer block);

    /** The layer's block of a network file in words, for messages: e.g. "dense, 320 biases and 320×784 weights". */
    String describeReference(S spec, Shape input);

    /**
     * An estimate of the values (floats) of the arrays a layer of this kind keeps for a training mini-batch of
     * {@code n} samples on the fast kernels (activations, deltas, input gradients, dropout masks, work arrays).
     */
    double trainingValues(S spec, Shape input, Shape output, long n);

    /** The same for an inference batch of {@code n} samples. */
    double inferenceValues(S spec, Shape input, Shape output, long n);

    /**
     * Adds the layer's ONNX nodes (opset 13) and parameters to {@code graph}: takes the value coming in (flat or
     * planar), returns the value going out.
     *
     * @param prefix the start of the names of the layer's nodes and parameters, e.g. {@code layer2}
     * @param path   the layer, for messages, e.g. {@code hiddenLayers[1] (dense 64)}
     */
    OnnxGraph.Value onnx(OnnxGraph graph, String prefix, String path, S spec, Map<String, INDArray> parameters,
            OnnxGraph.Value input);

    /**
     * True when a mini-batch of such a layer is mostly work on its activations, so that splitting it between
     * threads pays (convolutions); false when it is mostly reading the weights, which every thread would read again
     * (dense layers; measured in docs/performance.md).
     */
    default boolean splitsWell() {
        return false;
    }
}
