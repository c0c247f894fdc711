package io.richard.nd4j.io;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import io.richard.api.Layer;
import io.richard.api.ModelFormatException;
import io.richard.api.Shape;
import io.richard.api.spec.LayerSpec;
import io.richard.api.spec.ModelSpec;
import io.richard.api.spec.NetworkSpec;
import io.richard.nd4j.Network;
import io.richard.nd4j.kernel.Kernels;
import io.richard.nd4j.layer.LayerKinds;
import io.richard.nd4j.layer.ParameterShape;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Which parameters each layer of a model description has, with which shapes, and how to build the network from
 * stored values: the knowledge both file formats share.
 *
 * <p>Each layer kind says which parameters it has ({@link LayerKinds#parameters}): dense and output layers
 * {@code W} (n_out, n_in) and {@code b} (1, n_out), convolutional layers {@code W} (D, C, kH, kW) and {@code b}
 * (1, D), max-pooling layers none.
 */
final class ParameterLayout {

    /** One parameter a layer must have. */
    record Expected(int layer, String path, LayerSpec spec, String name, long[] shape) {

        /** e.g. {@code hiddenLayers[1] (dense) parameter W}. */
        String describe() {
            return path + " (" + spec.type() + ") parameter " + name;
        }
    }

    private ParameterLayout() {
    }

    /** The parameters of every layer of the model, in network order, W before b. */
    static List<Expected> expected(ModelSpec model) {
        NetworkSpec network = model.network();
        List<LayerSpec> specs = network.layers();
        List<Expected> all = new ArrayList<>();
        Shape input = model.inputShape();
        for (int l = 0; l < specs.size(); l++) {
            LayerSpec spec = specs.get(l);
            for (ParameterShape parameter : LayerKinds.parameters(spec, input)) {
                all.add(new Expected(l, network.path(l), spec, parameter.name(), parameter.shape()));
            }
            input = spec.outputShape(input);
        }
        return List.copyOf(all);
    }

    /**
     * Builds the network of a model description around stored parameter values.
     *
     * @param values per layer index, the parameters by name; each must have the shape {@link #expected} gives
     */
    static Network build(ModelSpec model, Map<Integer, Map<String, INDArray>> values) {
        return build(model, values, 0);
    }

    /**
     * Builds the network of a model description around stored parameter values, with the dropout seeds of a
     * network created from {@code seed} (see {@link Network#layerSeed}).
     */
    static Network build(ModelSpec model, Map<Integer, Map<String, INDArray>> values, long seed) {
        List<LayerSpec> specs = model.network().layers();
        List<Layer> layers = new ArrayList<>();
        Shape input = model.inputShape();
        for (int l = 0; l < specs.size(); l++) {
            Layer layer = LayerKinds.build(specs.get(l), input, values.getOrDefault(l, Map.of()), Network.layerSeed(seed,
                    l), Kernels.forBackend());
            layers.add(layer);
            input = layer.outputShape();
        }
        return Network.of(model, layers, seed);
    }

    /**
     * Refuses a stored parameter that holds NaN or an infinity: such a network computes NaN outputs (label 0,
     * accuracy of chance) without saying so. Names the file, the layer, the parameter and the first bad element.
     *
     * @param file where the value was read, for the message
     * @throws ModelFormatException when a value is not a finite number
     */
    static void requireFinite(Object file, Expected expected, INDArray value) {
        requireFinite(file, expected.describe(), value);
    }

    /** The same for any stored array, described by {@code what} (e.g. "optimizer state v"). */
    static void requireFinite(Object file, String what, INDArray value) {
        double[] values = value.dup('c').data().asDouble();
        int first = -1;
        int count = 0;
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                count++;
                first = first < 0 ? i : first;
            }
        }
        if (count == 0) {
            return;
        }
        long[] shape = value.shape();
        long[] index = new long[shape.length];
        long rest = first;
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d] = shape[d] == 0 ? 0 : rest % shape[d];
            rest = shape[d] == 0 ? rest : rest / shape[d];
        }
        double bad = values[first];
        throw new ModelFormatException(file + ": " + what + " holds " + (Double.isNaN(bad) ? "NaN" : bad > 0
                ? "+infinity" : "-infinity") + " at " + Arrays.toString(index) + (count == 1 ? "" : " (" + count
                + " of its " + values.length + " values are not finite)") + "; a model file must hold finite numbers"
                + " (a network with such a parameter computes NaN outputs)");
    }

    /** The value of a parameter of a layer of a network, or an exception saying what the layer has instead. */
    static INDArray value(Network network, Expected expected) {
        Layer layer = network.layers().get(expected.layer());
        INDArray value = layer.parameters().stream().filter(p -> p.name().equals(expected.name())).findFirst()
                .map(p -> p.value()).orElseThrow(() -> new IllegalArgumentException("cannot save the network: "
                        + expected.describe() + " is missing; the layer has " + layer.parameters().stream()
                        .map(p -> p.name()).toList()));
        if (!Arrays.equals(value.shape(), expected.shape())) {
            throw new IllegalArgumentException("cannot save the network: " + expected.describe() + " has shape "
                    + Npy.shapeText(value.shape()) + ", its description implies " + Npy.shapeText(expected.shape()));
        }
        return value;
    }
}
