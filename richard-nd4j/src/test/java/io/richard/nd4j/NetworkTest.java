package io.richard.nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import io.richard.api.ConfigException;
import io.richard.api.Layer;
import io.richard.api.Loss;
import io.richard.api.Mode;
import io.richard.api.Parameter;
import io.richard.api.Shape;
import io.richard.api.spec.ModelSpec;
import io.richard.api.spec.NetworkSpec;
import io.richard.api.spec.Normalization;
import io.richard.nd4j.kernel.Kernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Shape inference, validation messages, argmax ties, a whole-network gradient check and the flattening order. */
class NetworkTest {

    private static final Shape MNIST = new Shape(28, 28, 1);

    /** The cat/dog CNN of the reference README on MNIST input. */
    private static NetworkSpec mnistCnn() {
        return NetworkSpec.builder()
                .convolutional(32, 3, 3, 0.01)
                .maxPooling(2, 2)
                .convolutional(64, 4, 4, 0.01)
                .maxPooling(2, 2)
                .dense(64, 0.01)
                .output(10, 0.01);
    }

    @Test
    void mnistCnnShapesAndParameterCounts() {
        NetworkSpec spec = mnistCnn();
        // 28 − 3 + 1 = 26; 26 / 2 = 13; 13 − 4 + 1 = 10; 10 / 2 = 5; then 5·5·64 = 1600 inputs to dense 64
        List<Shape> expectedShapes = List.of(new Shape(26, 26, 32), new Shape(13, 13, 32), new Shape(10, 10, 64),
                new Shape(5, 5, 64), Shape.flat(64), Shape.flat(10));
        // conv: D·C·kW·kH + D; pool: 0; dense: n_out·n_in + n_out
        long[] expectedCounts = {
            32 * 1 * 3 * 3 + 32,          // 320
            0,
            64 * 32 * 4 * 4 + 64,         // 32 832
            0,
            64 * 1600 + 64,               // 102 464
            10 * 64 + 10};                // 650
        assertArrayEquals(new long[] {320, 0, 32832, 0, 102464, 650}, expectedCounts);
        long total = 320 + 32832 + 102464 + 650;   // 136 266

        assertEquals(expectedShapes, spec.shapes(MNIST));
        assertEquals(total, spec.parameterCount(MNIST));

        Network network = Network.create(MNIST, spec, 0, DataType.FLOAT);
        assertEquals(6, network.layers().size());
        for (int l = 0; l < 6; l++) {
            Layer layer = network.layers().get(l);
            assertEquals(expectedShapes.get(l), layer.outputShape(), "layer " + l + " output shape");
            assertEquals(l == 0 ? MNIST : expectedShapes.get(l - 1), layer.inputShape(), "layer " + l + " input shape");
            assertEquals(expectedCounts[l], layer.parameterCount(), "layer " + l + " parameters");
        }
        assertEquals(total, network.parameterCount());
        // W of the first conv is (D, C, kH, kW)
        assertArrayEquals(new long[] {32, 1, 3, 3}, network.layers().get(0).parameters().get(0).value().shape());
        assertArrayEquals(new long[] {64, 1600}, network.layers().get(4).parameters().get(0).value().shape());

        String summary = network.summary();
        for (long count : new long[] {320, 32832, 102464, 650, total}) {
            assertTrue(summary.contains(String.format(java.util.Locale.ROOT, "%,d", count)), "summary lacks " + count + ":\n" + summary);
        }
        assertTrue(summary.contains("[26, 26, 32]") && summary.contains("[5, 5, 64]"), summary);

        // and it runs: (N, 784) in, (N, 10) sigmoid outputs out
        INDArray out = network.output(Nd4j.rand(DataType.FLOAT, 2, 784));
        assertArrayEquals(new long[] {2, 10}, out.shape());
        assertTrue(out.minNumber().doubleValue() > 0 && out.maxNumber().doubleValue() < 1);
    }

    private static ModelSpec model(Shape input, NetworkSpec spec, int classes) {
        List<String> labels = java.util.stream.IntStream.range(0, classes).mapToObj(Integer::toString).toList();
        return ModelSpec.of(labels, input, new Normalization(0, 255), spec);
    }

    @Test
    void kernelLargerThanInputIsRejectedNamingTheLayer() {
        NetworkSpec wide = NetworkSpec.builder().dense(3, 0.1).convolutional(2, 5, 3, 0.1).output(2, 0.1);
        // dense 3 gives [3, 1, 1]; a 5×3 kernel is wider and taller than 3×1
        ConfigException e = assertThrows(ConfigException.class, () -> model(new Shape(4, 4, 1), wide, 2));
        assertEquals("hiddenLayers[1]: convolutional layer: kernel 5×3 is larger than its input 3×1"
                + " (input shape [3, 1, 1])", e.getMessage());

        NetworkSpec tall = NetworkSpec.builder().convolutional(2, 3, 5, 0.1).output(2, 0.1);
        e = assertThrows(ConfigException.class, () -> model(new Shape(4, 4, 1), tall, 2));
        assertEquals("hiddenLayers[0]: convolutional layer: kernel 3×5 is larger than its input 4×4"
                + " (input shape [4, 4, 1])", e.getMessage());
        // the same check from NetworkSpec directly
        e = assertThrows(ConfigException.class, () -> tall.validate(new Shape(4, 4, 1), 2));
        assertTrue(e.getMessage().startsWith("hiddenLayers[0]: convolutional layer: kernel 3×5"), e.getMessage());
    }

    @Test
    void poolingRegionThatDoesNotDivideIsRejectedNamingTheLayer() {
        NetworkSpec spec = NetworkSpec.builder().convolutional(2, 2, 2, 0.1).maxPooling(2, 2).output(2, 0.1);
        // 6×5 → conv 2×2 → 5×4×2: width 5 is odd
        ConfigException e = assertThrows(ConfigException.class, () -> model(new Shape(6, 5, 1), spec, 2));
        assertEquals("hiddenLayers[1]: maxPooling layer: region width 2 does not divide input width 5"
                + " (input shape [5, 4, 2])", e.getMessage());
        // 5×6 → 4×5×2: height 5 is odd
        e = assertThrows(ConfigException.class, () -> model(new Shape(5, 6, 1), spec, 2));
        assertEquals("hiddenLayers[1]: maxPooling layer: region height 2 does not divide input height 5"
                + " (input shape [4, 5, 2])", e.getMessage());
    }

    @Test
    void outputSizeDifferentFromClassCountIsRejected() {
        NetworkSpec spec = NetworkSpec.builder().dense(4, 0.1).output(2, 0.1);
        ConfigException e = assertThrows(ConfigException.class, () -> model(new Shape(3, 1, 1), spec, 3));
        assertEquals("outputLayer: size is 2 but there are 3 classes; the output layer needs one neuron per class",
                e.getMessage());
        assertThrows(ConfigException.class, () -> spec.validate(new Shape(3, 1, 1), 3));
        spec.validate(new Shape(3, 1, 1), 2);   // fine
    }

    @Test
    void argmaxTiesGoToTheFirstIndex() {
        // §4: first index holding the largest value; all zeros → 0
        double[][] rows = {{0.2, 0.7, 0.7}, {0, 0, 0}, {0.9, 0.1, 0.9}, {0.1, 0.2, 0.3}, {0.5, 0.5, 0.5}};
        int[] expected = {1, 0, 0, 2, 0};
        assertArrayEquals(expected, Network.argmax(Nd4j.createFromArray(rows)));
        assertArrayEquals(expected, Network.argmax(Nd4j.createFromArray(rows).castTo(DataType.FLOAT)));
        // a mini-batch of one sample still gives one prediction
        assertArrayEquals(new int[] {1}, Network.argmax(Nd4j.createFromArray(new double[][] {{0.1, 0.9, 0.9}})));
    }

    static Stream<Kernels> bothKernels() {
        return Stream.of(Kernels.plain(), Kernels.fast());
    }

    static Stream<Arguments> networkGradientCases() {
        int[][] cases = {{3, 4, 5, 2, 2}, {1, 4, 5, 2, 2}, {2, 3, 5, 2, 2}, {3, 4, 6, 3, 2}, {2, 3, 6, 3, 2},
            {3, 4, 5, 2, 22}, {1, 3, 5, 2, 22}};
        return Stream.of(Kernels.plain(), Kernels.fast()).flatMap(kernels -> Arrays.stream(cases)
                .map(c -> Arguments.of(kernels, c[0], c[1], c[2], c[3], c[4])));
    }

    @ParameterizedTest(name = "{0}: {1} samples of {3}×{2}×{5}, kernel width {4}")
    @MethodSource("networkGradientCases")
    void wholeNetworkGradientMatchesFiniteDifferences(Kernels kernels, int samples, int height, int width, int kW,
            int depth) {
        // 5×4×2 → conv 2 kernels of kW=2, kH=3 → 4×2×2 → pool 2×1 → 2×2×2 → dense 3 → output 2 (quadratic cost);
        // height 3 gives the pooling a convolution output one row high (the pooling takes views of that view).
        // Width 6 with kW = 3: the convolution's full rows (6 wide) hold 3 pooling regions, the pooling computes
        // all three by memory row and leaves the third (which reads the full rows' last columns) out. Depth 22
        // (kH·C = 66): the convolution runs by output image row and leaves its output with the samples of each
        // pixel together (a permuted view), which the pooling reads through strided views.
        NetworkSpec spec = NetworkSpec.builder()
                .convolutional(2, kW, 3, 0.1)
                .maxPooling(2, 1)
                .dense(3, 0.1)
                .output(2, 0.1);
        Shape input = new Shape(width, height, depth);
        Network network = Network.create(Network.defaultModel(input, spec), 5, DataType.DOUBLE, kernels);
        // Move away from the initial point (small weights, zero biases) to a generic one.
        Nd4j.getRandom().setSeed(77);
        for (Layer layer : network.layers()) {
            for (Parameter p : layer.parameters()) {
                p.value().assign(Nd4j.randn(DataType.DOUBLE, p.value().shape()).muli(0.6));
            }
        }
        INDArray x = Nd4j.rand(DataType.DOUBLE, samples, input.size());
        INDArray y = Nd4j.createFromArray(new double[][] {{1, 0}, {0, 1}, {1, 0}})
                .get(NDArrayIndex.interval(0, samples), NDArrayIndex.all()).dup();
        Loss loss = network.loss();

        INDArray a = network.forward(x, Mode.TRAINING);
        network.backward(loss.gradient(a, y));                            // (17) then (14) … down to layer 0
        for (int l = 0; l < network.layers().size(); l++) {
            for (Parameter p : network.layers().get(l).parameters()) {
                INDArray analytic = p.gradient().dup();
                // C = Σ_n ½‖y_n − a_n‖² over the fixed batch, (15)
                GradientCheck.compare("layer " + l + " " + p.name(), analytic, p.value(),
                        () -> loss.cost(network.forward(x, Mode.INFERENCE), y).sumNumber().doubleValue());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bothKernels")
    void denseAfterConvFlattensInTheReferenceOrder(Kernels implementation) {
        // Input W=3, H=2, C=2. A conv of 2 kernels 1×1 with identity weights (W[d][k] = 1 if d = k) and zero
        // biases copies the (positive) input: feature map d at (x, y) is input channel d at (x, y). A dense layer
        // of 12 neurons with the identity weight matrix then has z_i = (its input i), so neuron i shows which
        // feature-map element meets weight column i. The reference's order is column = d·W'·H' + y·W' + x.
        Shape input = new Shape(3, 2, 2);
        NetworkSpec spec = NetworkSpec.builder().convolutional(2, 1, 1, 0.1).dense(12, 0.1).output(2, 0.1);
        Network network = Network.create(Network.defaultModel(input, spec), 0, DataType.DOUBLE, implementation);
        Layer conv = network.layers().get(0);
        Layer dense = network.layers().get(1);
        INDArray kernels = conv.parameters().get(0).value();               // (D, C, kH, kW) = (2, 2, 1, 1)
        kernels.assign(0);
        kernels.putScalar(new long[] {0, 0, 0, 0}, 1);
        kernels.putScalar(new long[] {1, 1, 0, 0}, 1);
        dense.parameters().get(0).value().assign(Nd4j.eye(12).castTo(DataType.DOUBLE));

        // input value at reference index c·W·H + y·W + x is 0.1·(index + 1)
        INDArray x = Nd4j.create(DataType.DOUBLE, 1, 12);
        for (int i = 0; i < 12; i++) {
            x.putScalar(0, i, 0.1 * (i + 1));
        }
        INDArray convOut = conv.forward(x, Mode.TRAINING);
        INDArray denseOut = dense.forward(convOut, Mode.TRAINING);
        for (int d = 0; d < 2; d++) {
            for (int yy = 0; yy < 2; yy++) {
                for (int xx = 0; xx < 3; xx++) {
                    int column = d * 3 * 2 + yy * 3 + xx;
                    double element = 0.1 * (column + 1);
                    assertEquals(element, implementation.flat(convOut, conv.outputShape()).getDouble(0, column), 1e-12,
                            "conv copies the input");
                    // (4), (5): neuron `column` sees exactly this element, a = σ(element)
                    assertEquals(1 / (1 + Math.exp(-element)), denseOut.getDouble(0, column), 1e-12,
                            "feature map " + d + " (x=" + xx + ", y=" + yy + ") meets dense column " + column);
                }
            }
        }

        // Backward along the same route: a gradient on neuron i comes back to input index i only.
        for (int i = 0; i < 12; i++) {
            conv.forward(x, Mode.TRAINING);
            dense.forward(convOut, Mode.TRAINING);
            INDArray g = Nd4j.zeros(DataType.DOUBLE, 1, 12);
            g.putScalar(0, i, 1);
            INDArray gradConvOut = dense.backward(g, true);
            assertArrayEquals(convOut.shape(), gradConvOut.shape(), "dense returns the gradient in the conv layout");
            INDArray gradX = conv.backward(gradConvOut, true);
            double sigma = 1 / (1 + Math.exp(-0.1 * (i + 1)));
            for (int j = 0; j < 12; j++) {
                // (8) δ_i = σ'(z_i) = σ(1 − σ); (13) through the identity; (27) through the identity kernels
                assertEquals(j == i ? sigma * (1 - sigma) : 0, gradX.getDouble(0, j), 1e-12, "neuron " + i + " → input " + j);
            }
        }
    }
}
