package io.richard.nd4j.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.richard.api.Layer;
import io.richard.api.Mode;
import io.richard.api.Parameter;
import io.richard.api.Shape;
import io.richard.api.spec.ConvolutionalLayerSpec;
import io.richard.api.spec.DenseLayerSpec;
import io.richard.api.spec.MaxPoolingLayerSpec;
import io.richard.api.spec.Size2D;
import io.richard.nd4j.activation.Sigmoid;
import io.richard.nd4j.layer.ConvolutionalLayer;
import io.richard.nd4j.layer.DenseLayer;
import io.richard.nd4j.layer.MaxPoolingLayer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The plain and the fast kernels compute the same layers: over random input sizes, channels, depths, kernel and
 * region sizes and batch sizes (1 included), both precisions and both input layouts, the outputs, input gradients
 * and parameter gradients of two consecutive training passes agree to 1e-5 in float32 and 1e-12 in float64
 * (relative to the values' size, at least 1). The second pass catches state one implementation carries over from
 * the first (gradients that accumulate across mini-batches, stale arrays).
 */
class KernelEqualityTest {

    /** A convolution's geometry: kH·C spans both sides of 64 and kW·C both sides of 16, the fast schedules' thresholds. */
    record Convolution(Shape input, int depth, int kW, int kH, int n) {
    }

    /** A pooling geometry: the input is a whole number of regions. */
    record Pooling(Shape input, int rW, int rH, int n) {
    }

    @Provide
    Arbitrary<Convolution> convolutions() {
        return Combinators.combine(Arbitraries.integers().between(1, 9), Arbitraries.integers().between(1, 9),
                Arbitraries.of(1, 2, 3, 5, 8, 16, 22, 33), Arbitraries.integers().between(1, 6),
                Arbitraries.integers().between(1, 4), Arbitraries.integers().between(1, 4),
                Arbitraries.integers().between(1, 5))
                .as((w, h, c, depth, kW, kH, n) -> new Convolution(new Shape(w + kW - 1, h + kH - 1, c), depth, kW, kH,
                        n));
    }

    @Provide
    Arbitrary<Pooling> poolings() {
        return Combinators.combine(Arbitraries.integers().between(1, 5), Arbitraries.integers().between(1, 5),
                Arbitraries.of(1, 2, 3, 8, 32), Arbitraries.integers().between(1, 3), Arbitraries.integers().between(1, 3),
                Arbitraries.integers().between(1, 5))
                .as((w, h, c, rW, rH, n) -> new Pooling(new Shape(w * rW, h * rH, c), rW, rH, n));
    }

    @Property(tries = 80)
    void convolutionsAgree(@ForAll("convolutions") Convolution g, @ForAll boolean float64, @ForAll boolean spatialInput,
            @ForAll long seed) {
        DataType type = float64 ? DataType.DOUBLE : DataType.FLOAT;
        Nd4j.getRandom().setSeed(seed);
        ConvolutionalLayerSpec spec = new ConvolutionalLayerSpec(g.depth(), new Size2D(g.kW(), g.kH()), 0.1, 1, 0);
        INDArray W = Nd4j.randn(type, g.depth(), g.input().depth(), g.kH(), g.kW()).muli(0.1);
        INDArray b = Nd4j.randn(type, 1, g.depth()).muli(0.1);
        Layer plain = new ConvolutionalLayer(spec, g.input(), W.dup(), b.dup(), 1, Kernels.plain());
        Layer fast = new ConvolutionalLayer(spec, g.input(), W.dup(), b.dup(), 1, Kernels.fast());
        twoPassesAgree(plain, fast, g.n(), type, spatialInput, false, "conv " + g);
    }

    @Property(tries = 60)
    void poolingsAgree(@ForAll("poolings") Pooling g, @ForAll boolean float64, @ForAll boolean spatialInput,
            @ForAll boolean ties, @ForAll long seed) {
        DataType type = float64 ? DataType.DOUBLE : DataType.FLOAT;
        Nd4j.getRandom().setSeed(seed);
        MaxPoolingLayerSpec spec = new MaxPoolingLayerSpec(g.rW(), g.rH());
        Layer plain = new MaxPoolingLayer(spec, g.input(), Kernels.plain());
        Layer fast = new MaxPoolingLayer(spec, g.input(), Kernels.fast());
        twoPassesAgree(plain, fast, g.n(), type, spatialInput, ties, "pool " + g);
    }

    @Property(tries = 40)
    void denseLayersAgree(@ForAll("denseInputs") Shape input, @ForAll("sizes") int size, @ForAll("batches") int n,
            @ForAll boolean float64, @ForAll boolean spatialInput, @ForAll long seed) {
        DataType type = float64 ? DataType.DOUBLE : DataType.FLOAT;
        Nd4j.getRandom().setSeed(seed);
        INDArray W = Nd4j.randn(type, size, input.size()).muli(0.1);
        INDArray b = Nd4j.randn(type, 1, size).muli(0.1);
        DenseLayerSpec spec = new DenseLayerSpec(size, 0.1);
        Layer plain = new DenseLayer(spec, input, Sigmoid.INSTANCE, W.dup(), b.dup(), 1, Kernels.plain());
        Layer fast = new DenseLayer(spec, input, Sigmoid.INSTANCE, W.dup(), b.dup(), 1, Kernels.fast());
        twoPassesAgree(plain, fast, n, type, spatialInput, false, "dense " + input + " → " + size);
    }

    @Provide
    Arbitrary<Shape> denseInputs() {
        return Combinators.combine(Arbitraries.integers().between(1, 6), Arbitraries.integers().between(1, 6),
                Arbitraries.integers().between(1, 5)).as(Shape::new);
    }

    @Provide
    Arbitrary<Integer> sizes() {
        return Arbitraries.integers().between(1, 12);
    }

    @Provide
    Arbitrary<Integer> batches() {
        return Arbitraries.integers().between(1, 5);
    }

    /**
     * Two training passes (forward, backward) of the same inputs and upstream gradients through both layers; after
     * each, the outputs, input gradients and parameter gradients agree. Inputs and gradients are drawn flat, in the
     * reference's order, and handed to each layer in its kernels' layout.
     */
    private static void twoPassesAgree(Layer plain, Layer fast, int n, DataType type, boolean spatialInput,
            boolean ties, String what) {
        Shape in = plain.inputShape();
        Shape out = plain.outputShape();
        double tolerance = type == DataType.DOUBLE ? 1e-12 : 1e-5;
        for (int pass = 0; pass < 2; pass++) {
            INDArray x = ties ? Nd4j.rand(type, n, in.size()).muli(3).castTo(DataType.INT32).castTo(type)
                    : Nd4j.rand(type, n, in.size());
            INDArray G = Nd4j.randn(type, n, out.size()).muli(0.1);
            String where = what + " N=" + n + " " + type + (spatialInput ? " spatial input" : "") + ", pass " + pass;

            INDArray outPlain = plain.forward(input(Kernels.plain(), x, in, spatialInput), Mode.TRAINING);
            INDArray outFast = fast.forward(input(Kernels.fast(), x, in, spatialInput), Mode.TRAINING);
            close(Kernels.plain().flat(outPlain, out), Kernels.fast().flat(outFast, out), tolerance, where + ": output");

            // ∇a C laid out as each layer laid out its output
            INDArray gradPlain = plain.backward(outPlain.rank() == 2 ? G.dup() : Kernels.plain().spatial(G, out).dup(),
                    true);
            INDArray gradFast = fast.backward(outFast.rank() == 2 ? G.dup() : Kernels.fast().spatial(G, out).dup(),
                    true);
            close(Kernels.plain().flat(gradPlain, in), Kernels.fast().flat(gradFast, in), tolerance,
                    where + ": input gradient");
            for (int i = 0; i < plain.parameters().size(); i++) {
                Parameter p = plain.parameters().get(i);
                close(p.gradient(), fast.parameters().get(i).gradient(), tolerance, where + ": ∇" + p.name());
            }
        }
    }

    /** The flat input as the layer takes it: flat, or in its kernels' spatial layout. */
    private static INDArray input(Kernels kernels, INDArray x, Shape shape, boolean spatial) {
        return spatial ? kernels.spatial(x.dup(), shape).dup() : x.dup();
    }

    private static void close(INDArray expected, INDArray actual, double tolerance, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double[] e = expected.dup('c').data().asDouble();
        double[] a = actual.dup('c').data().asDouble();
        for (int i = 0; i < e.length; i++) {
            assertTrue(Math.abs(e[i] - a[i]) <= tolerance * Math.max(1, Math.abs(e[i])),
                    what + "[" + i + "]: plain " + e[i] + ", fast " + a[i]);
        }
    }
}
