package io.richard.nd4j.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import io.richard.api.Mode;
import io.richard.api.Shape;
import io.richard.api.spec.ConvolutionalLayerSpec;
import io.richard.api.spec.Size2D;
import io.richard.nd4j.layer.ConvolutionalLayer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A convolution takes a gradient laid out in memory like its own output (as max pooling returns it) as its rows
 * without a copy: the result must be what a contiguous copy of the same gradient gives, whatever the gradient's
 * memory holds outside the output's positions.
 */
class GradientLayoutTest {

    static Stream<Arguments> schedules() {
        return Stream.of(
                // full-row schedule: the output view leaves out kW − 1 columns of every full row
                Arguments.of(new Shape(5, 4, 2), 3, 2, 3),
                Arguments.of(new Shape(6, 5, 3), 2, 3, 2),
                // by output image row (kH·C ≥ 64): the output is a permuted view of its rows, no gap
                Arguments.of(new Shape(5, 6, 16), 3, 2, 4));
    }

    @ParameterizedTest(name = "input={0} depth={1} kernel={2}x{3}")
    @MethodSource("schedules")
    void gradientInTheOutputsLayoutGivesTheGradientsOfItsCopyWhateverItsMemoryHoldsElsewhere(Shape input, int depth,
            int kW, int kH) {
        Nd4j.getRandom().setSeed(41);
        int n = 3;
        ConvolutionalLayerSpec spec = new ConvolutionalLayerSpec(depth, new Size2D(kW, kH), 0.1, 1, 0);
        INDArray W = Nd4j.randn(DataType.DOUBLE, depth, input.depth(), kH, kW);
        INDArray b = Nd4j.randn(DataType.DOUBLE, 1, depth);
        ConvolutionalLayer inPlace = new ConvolutionalLayer(spec, input, W.dup(), b.dup(), 1, Kernels.fast());
        ConvolutionalLayer copied = new ConvolutionalLayer(spec, input, W.dup(), b.dup(), 1, Kernels.fast());
        INDArray x = Nd4j.randn(DataType.DOUBLE, n, input.size());
        INDArray a = inPlace.forward(x, Mode.TRAINING);
        copied.forward(x, Mode.TRAINING);
        INDArray delta = Nd4j.randn(DataType.DOUBLE, a.shape());

        // the gradient in a's layout, its memory NaN everywhere else
        INDArray laidOut = Layouts.gradientLike(a, "gradient", new Buffers());
        Nd4j.create(laidOut.data(), new long[] {laidOut.data().length()}).assign(Double.NaN);
        laidOut.assign(delta);
        assertTrue(Layouts.sameMemoryLayout(laidOut, a), "the case under test: laid out like the output");

        INDArray gradInPlace = inPlace.backward(laidOut, true);
        INDArray gradCopied = copied.backward(delta.dup(), true);

        assertTrue(gradCopied.equalsWithEps(gradInPlace, 1e-12), "input gradient");
        assertTrue(copied.parameters().get(0).gradient().equalsWithEps(inPlace.parameters().get(0).gradient(), 1e-12),
                "kernel gradient " + inPlace.parameters().get(0).gradient());
        assertTrue(copied.parameters().get(1).gradient().equalsWithEps(inPlace.parameters().get(1).gradient(), 1e-12),
                "bias gradient " + inPlace.parameters().get(1).gradient());
    }
}
