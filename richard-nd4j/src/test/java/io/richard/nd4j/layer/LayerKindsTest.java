package io.richard.nd4j.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import io.richard.api.Layer;
import io.richard.api.Parameter;
import io.richard.api.Shape;
import io.richard.api.spec.ConvolutionalLayerSpec;
import io.richard.api.spec.DenseLayerSpec;
import io.richard.api.spec.LayerSpec;
import io.richard.api.spec.MaxPoolingLayerSpec;
import io.richard.api.spec.OutputLayerSpec;
import io.richard.nd4j.kernel.Kernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One registration point per layer kind: every description record has a kind, and each kind's parts agree with
 * each other and with its description (parameter shapes and counts, built layers, the network-file order).
 */
class LayerKindsTest {

    @Test
    void everyDescriptionRecordHasExactlyOneKind() {
        JsonSubTypes.Type[] types = LayerSpec.class.getAnnotation(JsonSubTypes.class).value();
        assertEquals(types.length, LayerKinds.all().size(), "one kind per @JsonSubTypes entry of LayerSpec");
        for (JsonSubTypes.Type type : types) {
            assertEquals(1, LayerKinds.all().stream().filter(k -> k.specClass() == type.value()).count(),
                    type.name());
        }
        assertEquals(types.length, LayerSpec.class.getPermittedSubclasses().length, "sealed permits = subtypes");
    }

    static Stream<Arguments> layers() {
        return Stream.of(Arguments.of(new DenseLayerSpec(5, 0.1), new Shape(3, 2, 2)),
                Arguments.of(new OutputLayerSpec(4, 0.1), new Shape(6, 1, 1)),
                Arguments.of(new ConvolutionalLayerSpec(3, 2, 3, 0.1), new Shape(5, 4, 2)),
                Arguments.of(new MaxPoolingLayerSpec(2, 1), new Shape(4, 3, 3)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void aKindsPartsAgreeWithItsDescription(LayerSpec spec, Shape input) {
        List<ParameterShape> shapes = LayerKinds.parameters(spec, input);
        assertEquals(spec.parameterCount(input), shapes.stream().mapToLong(ParameterShape::length).sum(),
                "parameter count");
        Layer layer = LayerKinds.create(spec, input, new ReferenceInitializer(3), DataType.DOUBLE, 7, Kernels.plain());
        assertEquals(spec.outputShape(input), layer.outputShape());
        assertEquals(spec, layer.spec());
        List<Parameter> parameters = layer.parameters();
        assertEquals(shapes.size(), parameters.size());
        for (int i = 0; i < shapes.size(); i++) {
            assertEquals(shapes.get(i).name(), parameters.get(i).name());
            assertArrayEquals(shapes.get(i).shape(), parameters.get(i).value().shape(), shapes.get(i).name());
        }

        // network-file order: written, read back, the same values (float32)
        Map<String, INDArray> values = LayerKinds.values(layer);
        values.values().forEach(v -> v.assign(org.nd4j.linalg.factory.Nd4j.rand(DataType.DOUBLE, v.shape())));
        float[] block = LayerKinds.toReference(spec, values);
        assertEquals(spec.parameterCount(input), block.length);
        Map<String, INDArray> read = LayerKinds.fromReference(spec, input, FloatBuffer.wrap(block));
        assertEquals(values.keySet(), read.keySet());
        values.forEach((name, value) -> assertTrue(value.castTo(DataType.FLOAT).equalsWithEps(read.get(name), 0),
                name + ": " + read.get(name)));
        assertTrue(LayerKinds.values(spec, input, spec.outputShape(input), 32, 256) > 0);
    }

    /**
     * A layer built on an implementation names it ({@code implementation()}) and runs on it: a spatial output comes
     * in that implementation's layout, (N, D, H', W') for the plain kernels and (H', N, W', D) for the fast ones.
     */
    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("layersOnBothKernels")
    void aLayerNamesTheKernelsItRunsOn(LayerSpec spec, Shape input, String name) {
        Kernels kernels = Kernels.named(name);
        Layer layer = LayerKinds.create(spec, input, new ReferenceInitializer(3), DataType.DOUBLE, 7, kernels);
        Kernels implementation = layer instanceof DenseLayer dense ? dense.implementation()
                : layer instanceof ConvolutionalLayer convolution ? convolution.implementation()
                : ((MaxPoolingLayer) layer).implementation();
        assertSame(kernels, implementation);
        assertEquals(name, implementation.name());
        Shape output = layer.outputShape();
        INDArray x = org.nd4j.linalg.factory.Nd4j.rand(DataType.DOUBLE, 2, input.size());
        INDArray a = layer.forward(kernels.spatial(x, input), io.richard.api.Mode.INFERENCE);
        long[] expected = layer instanceof DenseLayer ? new long[] {2, output.size()}
                : name.equals("plain") ? new long[] {2, output.depth(), output.height(), output.width()}
                : new long[] {output.height(), 2, output.width(), output.depth()};
        assertArrayEquals(expected, a.shape());
    }

    static Stream<Arguments> layersOnBothKernels() {
        return Stream.of(Arguments.of(new DenseLayerSpec(5, 0.1), new Shape(3, 2, 2)),
                Arguments.of(new OutputLayerSpec(4, 0.1), new Shape(6, 1, 1)),
                Arguments.of(new ConvolutionalLayerSpec(3, 2, 3, 0.1), new Shape(5, 4, 2)),
                Arguments.of(new MaxPoolingLayerSpec(2, 1), new Shape(4, 3, 3))).flatMap(a -> Stream.of("plain",
                        "fast").map(k -> Arguments.of(a.get()[0], a.get()[1], k)));
    }

    /** The layers' constructors without an implementation take the backend's (the fast kernels on the CPU). */
    @Test
    void aLayerBuiltWithoutKernelsRunsOnTheBackendsOwn() {
        Shape image = new Shape(4, 3, 2);
        assertSame(Kernels.forBackend(), new MaxPoolingLayer(new MaxPoolingLayerSpec(2, 1), image).implementation());
        assertSame(Kernels.forBackend(), new ConvolutionalLayer(new ConvolutionalLayerSpec(2, 2, 2, 0.1), image,
                org.nd4j.linalg.factory.Nd4j.zeros(DataType.DOUBLE, 2, 2, 2, 2),
                org.nd4j.linalg.factory.Nd4j.zeros(DataType.DOUBLE, 1, 2), 7).implementation());
        assertSame(Kernels.forBackend(), new DenseLayer(new DenseLayerSpec(2, 0.1), image,
                io.richard.nd4j.activation.Sigmoid.INSTANCE, org.nd4j.linalg.factory.Nd4j.zeros(DataType.DOUBLE, 2, 24),
                org.nd4j.linalg.factory.Nd4j.zeros(DataType.DOUBLE, 1, 2), 7).implementation());
    }

    @Test
    void theNetworkFileHoldsBiasesFirstForDenseAndEachKernelsBiasBeforeItsValuesForConvolutions() {
        Map<String, INDArray> dense = Map.of("W", org.nd4j.linalg.factory.Nd4j.createFromArray(new float[][] {{1, 2},
            {3, 4}}), "b", org.nd4j.linalg.factory.Nd4j.createFromArray(new float[][] {{9, 8}}));
        assertArrayEquals(new float[] {9, 8, 1, 2, 3, 4}, LayerKinds.toReference(new DenseLayerSpec(2, 0.1), dense));
        // two kernels of 1 channel, 1×2: W[d][0][0][x]
        Map<String, INDArray> conv = Map.of("W", org.nd4j.linalg.factory.Nd4j.createFromArray(
                new float[][][][] {{{{1, 2}}}, {{{3, 4}}}}), "b", org.nd4j.linalg.factory.Nd4j.createFromArray(
                new float[][] {{9, 8}}));
        assertArrayEquals(new float[] {9, 1, 2, 8, 3, 4},
                LayerKinds.toReference(new ConvolutionalLayerSpec(2, 2, 1, 0.1), conv));
    }
    /** What a kind says of itself: its parameters with their shapes, its words for the network file, splitting. */
    @Test
    void eachKindNamesItsParametersDescribesItselfAndSaysWhetherItSplits() {
        Shape image = new Shape(5, 4, 2);
        ConvolutionalLayerSpec conv = new ConvolutionalLayerSpec(3, 2, 3, 0.1);
        assertEquals(List.of(new ParameterShape("W", new long[] {3, 2, conv.kernelSize().height(),
                conv.kernelSize().width()}), new ParameterShape("b", new long[] {1, 3})), LayerKinds.parameters(conv, image));
        assertEquals(List.of(new ParameterShape("W", new long[] {5, 40}), new ParameterShape("b", new long[] {1, 5})),
                LayerKinds.parameters(new DenseLayerSpec(5, 0.1), image));
        assertEquals(List.of(), LayerKinds.parameters(new MaxPoolingLayerSpec(1, 2), image));

        assertEquals("dense, 5 biases and 5×40 weights", LayerKinds.describeReference(new DenseLayerSpec(5, 0.1), image));
        assertEquals("output, 4 biases and 4×40 weights", LayerKinds.describeReference(new OutputLayerSpec(4, 0.1),
                image));
        assertEquals("convolutional, 3 filters of " + conv.kernelSize().width() + "×" + conv.kernelSize().height()
                + "×2 plus one bias each", LayerKinds.describeReference(conv, image));
        assertEquals("max pooling, no parameters", LayerKinds.describeReference(new MaxPoolingLayerSpec(1, 2), image));

        assertTrue(LayerKinds.splitsWell(conv), "a convolution's work is mostly per sample");
        assertFalse(LayerKinds.splitsWell(new DenseLayerSpec(5, 0.1)));
        assertFalse(LayerKinds.splitsWell(new OutputLayerSpec(4, 0.1)));
        assertFalse(LayerKinds.splitsWell(new MaxPoolingLayerSpec(1, 2)));
    }

    /** A parameter's shape is a value: equal by name and dimensions (not by array identity), printed as such. */
    @Test
    void parameterShapesAreValues() {
        ParameterShape w = new ParameterShape("W", new long[] {320, 784});
        assertEquals(new ParameterShape("W", new long[] {320, 784}), w);
        assertEquals(new ParameterShape("W", new long[] {320, 784}).hashCode(), w.hashCode());
        assertNotEquals(new ParameterShape("b", new long[] {320, 784}), w);
        assertNotEquals(new ParameterShape("W", new long[] {784, 320}), w);
        assertNotEquals(new ParameterShape("W", new long[] {320, 784}).hashCode(),
                new ParameterShape("W", new long[] {784, 320}).hashCode());
        assertNotEquals(w, "W [320, 784]");
        assertEquals("W [320, 784]", w.toString());
        assertEquals(250_880, w.length());
    }
}
