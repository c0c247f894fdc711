package io.richard.nd4j.layer;

import io.richard.nd4j.kernel.Kernels;
import java.util.stream.Stream;
import io.richard.api.Layer;
import io.richard.api.Shape;
import io.richard.api.spec.ConvolutionalLayerSpec;
import io.richard.api.spec.DenseLayerSpec;
import io.richard.api.spec.MaxPoolingLayerSpec;
import io.richard.api.spec.OutputLayerSpec;
import io.richard.api.spec.Size2D;
import io.richard.nd4j.GradientCheck;
import io.richard.nd4j.activation.Sigmoid;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Finite-difference checks (float64) of every layer's input and parameter gradients on random shapes, on both
 * kernel implementations.
 */
class LayerGradientTest {

    /** Every case once per kernel implementation, the kernels first. */
    private static Stream<Arguments> onBothKernels(Stream<Arguments> cases) {
        java.util.List<Arguments> all = cases.toList();
        return Stream.of(Kernels.plain(), Kernels.fast()).flatMap(kernels -> all.stream().map(arguments -> {
            Object[] values = new Object[arguments.get().length + 1];
            values[0] = kernels;
            System.arraycopy(arguments.get(), 0, values, 1, arguments.get().length);
            return Arguments.of(values);
        }));
    }

    static Stream<Arguments> denseShapes() {
        return onBothKernels(Stream.of(Arguments.of(1, new Shape(3, 1, 1), 2), Arguments.of(4, new Shape(5, 1, 1), 7),
                Arguments.of(3, new Shape(3, 2, 2), 4)));
    }

    @ParameterizedTest(name = "{0} dense N={1} input={2} size={3}")
    @MethodSource("denseShapes")
    void denseGradients(Kernels kernels, int n, Shape input, int size) {
        Nd4j.getRandom().setSeed(11 + n);
        DenseLayer layer = new DenseLayer(new DenseLayerSpec(size, 0.1), input, Sigmoid.INSTANCE,
                Nd4j.randn(DataType.DOUBLE, size, input.size()), Nd4j.randn(DataType.DOUBLE, 1, size), 1, kernels);
        GradientCheck.checkLayer(layer, Nd4j.randn(DataType.DOUBLE, n, input.size()),
                Nd4j.randn(DataType.DOUBLE, n, size));
    }

    @ParameterizedTest(name = "{0} dense from spatial input N={1} input={2}")
    @MethodSource("denseShapes")
    void denseGradientsFromSpatialInput(Kernels kernels, int n, Shape input, int size) {
        Nd4j.getRandom().setSeed(17 + n);
        DenseLayer layer = new DenseLayer(new OutputLayerSpec(size, 0.1), input, Sigmoid.INSTANCE,
                Nd4j.randn(DataType.DOUBLE, size, input.size()), Nd4j.randn(DataType.DOUBLE, 1, size), 1, kernels);
        GradientCheck.checkLayer(layer,
                kernels.spatial(Nd4j.randn(DataType.DOUBLE, n, input.size()), input).dup(),
                Nd4j.randn(DataType.DOUBLE, n, size));
    }

    static Stream<Arguments> convShapes() {
        return onBothKernels(Stream.of(
                Arguments.of(1, new Shape(4, 4, 1), 1, 2, 2),
                Arguments.of(2, new Shape(5, 4, 3), 2, 3, 2),
                Arguments.of(3, new Shape(6, 7, 2), 4, 2, 3),
                Arguments.of(2, new Shape(3, 3, 2), 3, 3, 3),
                Arguments.of(2, new Shape(5, 5, 4), 3, 1, 1),
                // kW·C ≥ 16: (28) by kernel row rather than by offset
                Arguments.of(2, new Shape(5, 6, 8), 3, 2, 3),
                Arguments.of(3, new Shape(7, 5, 6), 2, 3, 2),
                Arguments.of(2, new Shape(6, 6, 4), 2, 4, 4),
                // kH·C ≥ 64: (24) and (28) by output image row over the valid positions
                Arguments.of(2, new Shape(5, 6, 16), 3, 2, 4),
                Arguments.of(2, new Shape(6, 4, 32), 2, 3, 2),
                Arguments.of(1, new Shape(3, 3, 64), 2, 2, 1)));
    }

    @ParameterizedTest(name = "{0} conv N={1} input={2} depth={3} kernel={4}x{5}")
    @MethodSource("convShapes")
    void convolutionalGradients(Kernels kernels, int n, Shape input, int depth, int kW, int kH) {
        Nd4j.getRandom().setSeed(23 + depth);
        ConvolutionalLayerSpec spec = new ConvolutionalLayerSpec(depth, new Size2D(kW, kH), 0.1, 1, 0);
        Shape output = spec.outputShape(input);
        Layer layer = new ConvolutionalLayer(spec, input,
                Nd4j.randn(DataType.DOUBLE, depth, input.depth(), kH, kW), Nd4j.randn(DataType.DOUBLE, 1, depth), 1,
                kernels);
        GradientCheck.checkLayer(layer, Nd4j.randn(DataType.DOUBLE, n, input.size()),
                Nd4j.randn(DataType.DOUBLE, n, output.size()));
    }

    static Stream<Arguments> poolShapes() {
        return onBothKernels(Stream.of(
                Arguments.of(1, new Shape(4, 4, 1), 2, 2),
                Arguments.of(2, new Shape(6, 4, 3), 3, 2),
                Arguments.of(3, new Shape(4, 6, 2), 1, 3)));
    }

    @ParameterizedTest(name = "{0} maxpool N={1} input={2} region={3}x{4}")
    @MethodSource("poolShapes")
    void maxPoolingGradients(Kernels kernels, int n, Shape input, int rW, int rH) {
        Nd4j.getRandom().setSeed(31 + rW);
        MaxPoolingLayerSpec spec = new MaxPoolingLayerSpec(rW, rH);
        Shape output = spec.outputShape(input);
        Layer layer = new MaxPoolingLayer(spec, input, kernels);
        GradientCheck.checkLayer(layer,
                kernels.spatial(Nd4j.randn(DataType.DOUBLE, n, input.size()), input).dup(),
                Nd4j.randn(DataType.DOUBLE, n, output.size()));
    }
}
