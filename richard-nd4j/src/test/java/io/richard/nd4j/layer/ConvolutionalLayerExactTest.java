package io.richard.nd4j.layer;

import io.richard.nd4j.kernel.Kernels;
import io.richard.nd4j.kernel.Layouts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.stream.Stream;
import io.richard.api.Mode;
import io.richard.api.Shape;
import io.richard.api.spec.ConvolutionalLayerSpec;
import io.richard.api.spec.Size2D;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The convolutional layer against hand-computed numbers and against plain nested loops written straight from
 * (24) forward, (26) ReLU', (27) input gradient as a full convolution and (28) kernel gradient, over three
 * consecutive mini-batches through one layer and through each of its schedules ((28) by kernel offset, by kernel
 * row over full rows, by output image row), so a gradient that piles up across mini-batches shows.
 *
 * <p>Conventions: data arrives flat (N, W·H·C) in the reference's channel-major order, index c·W·H + y·W + x;
 * the layer's output is spatial (H', N, W', D), read here as (N, H', W', D) through {@link #nhwc}; kernels are
 * W (D, C, kH, kW) so {@code W[d][k][j][i]} is
 * w<sub>i,j,k</sub><sup>d</sup> of (24) (i along x, j along y).
 */
class ConvolutionalLayerExactTest {

    private static final double EPS = 1e-12;
    /** Mini-batches run one after the other through each layer of the nested-loop comparison. */
    private static final int MINI_BATCHES = 3;

    /** Flat reference-order input (1, C·H·W) from planes[c][y][x]. */
    static INDArray flat(double[][][] planes) {
        int c = planes.length;
        int h = planes[0].length;
        int w = planes[0][0].length;
        double[] v = new double[c * h * w];
        for (int k = 0; k < c; k++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    v[k * w * h + y * w + x] = planes[k][y][x];
                }
            }
        }
        return Nd4j.createFromArray(new double[][] {v});
    }

    private static ConvolutionalLayer layer(Shape input, int depth, int kW, int kH, double[][][][] w, double[] b) {
        ConvolutionalLayerSpec spec = new ConvolutionalLayerSpec(depth, new Size2D(kW, kH), 0.1, 1, 0);
        return new ConvolutionalLayer(spec, input, Nd4j.createFromArray(w), Nd4j.createFromArray(new double[][] {b}), 7);
    }

    // ---------------------------------------------------------------------------------------------------------
    // (a) hand-computed cases

    @Test
    void singleChannelThreeByThreeWithTwoByTwoKernel() {
        // input a(x, y), 3×3, one channel:
        //   y=0: 1 2 3
        //   y=1: 4 5 6
        //   y=2: 7 8 9
        INDArray input = flat(new double[][][] {{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}});
        // kernel w(i, j): w(0,0)=1, w(1,0)=0, w(0,1)=-1, w(1,1)=2 (not symmetric, so a swapped i/j shows); b=-10
        double[][][][] w = {{{{1, 0}, {-1, 2}}}};
        ConvolutionalLayer layer = layer(new Shape(3, 3, 1), 1, 2, 2, w, new double[] {-10});

        INDArray a = nhwc(layer.forward(input, Mode.TRAINING));
        assertArrayEquals(new long[] {1, 2, 2, 1}, a.shape());
        // (24) z(x,y) = Σ_{i,j} w(i,j) a(x+i, y+j) + b
        double z00 = 1 * 1 + 0 * 2 + -1 * 4 + 2 * 5 - 10;   // = -3
        double z10 = 1 * 2 + 0 * 3 + -1 * 5 + 2 * 6 - 10;   // = -1
        double z01 = 1 * 4 + 0 * 5 + -1 * 7 + 2 * 8 - 10;   // = 3
        double z11 = 1 * 5 + 0 * 6 + -1 * 8 + 2 * 9 - 10;   // = 5
        // z itself, negative values included, is seen through the same kernel with the bias 20 higher (every z > 0)
        INDArray shifted = nhwc(layer(new Shape(3, 3, 1), 1, 2, 2, w, new double[] {10}).forward(input,
                Mode.INFERENCE));
        assertEquals(-3.0 + 20, shifted.getDouble(0, 0, 0, 0), EPS);
        assertEquals(-1.0 + 20, shifted.getDouble(0, 0, 1, 0), EPS);
        assertEquals(3.0 + 20, shifted.getDouble(0, 1, 0, 0), EPS);
        assertEquals(5.0 + 20, shifted.getDouble(0, 1, 1, 0), EPS);
        assertEquals(z00 + 20, shifted.getDouble(0, 0, 0, 0), EPS);
        assertEquals(z10 + 20, shifted.getDouble(0, 0, 1, 0), EPS);
        assertEquals(z01 + 20, shifted.getDouble(0, 1, 0, 0), EPS);
        assertEquals(z11 + 20, shifted.getDouble(0, 1, 1, 0), EPS);
        // (25) a = R(z) = max(0, z); the output read as (N, H', W', D): a.getDouble(n, y, x, d)
        assertEquals(0, a.getDouble(0, 0, 0, 0), EPS);    // R(-3)
        assertEquals(0, a.getDouble(0, 0, 1, 0), EPS);    // R(-1)
        assertEquals(3, a.getDouble(0, 1, 0, 0), EPS);    // R(3)
        assertEquals(5, a.getDouble(0, 1, 1, 0), EPS);    // R(5)

        // backward with ∂C/∂a: g(0,0)=1, g(1,0)=2, g(0,1)=3, g(1,1)=4
        INDArray g = Nd4j.createFromArray(new double[] {1, 2, 3, 4}).reshape(1, 2, 2, 1);
        INDArray gradInput = layer.backward(spatialFromNhwc(g), true);
        // δ = g ⊙ R'(z): z(0,0), z(1,0) < 0 → δ = 0; δ(0,1) = 3, δ(1,1) = 4
        // ∂C/∂b = Σ δ = 7
        assertEquals(7, layer.parameters().get(1).gradient().getDouble(0), EPS);
        // (28) ∂C/∂w(i,j) = Σ_{x,y} δ(x,y) a(x+i, y+j) = 3·a(i, 1+j) + 4·a(1+i, 1+j)
        INDArray gradW = layer.parameters().get(0).gradient();
        assertEquals(3 * 4 + 4 * 5, gradW.getDouble(0, 0, 0, 0), EPS);   // w(0,0): 32
        assertEquals(3 * 5 + 4 * 6, gradW.getDouble(0, 0, 0, 1), EPS);   // w(1,0): 39
        assertEquals(3 * 7 + 4 * 8, gradW.getDouble(0, 0, 1, 0), EPS);   // w(0,1): 53
        assertEquals(3 * 8 + 4 * 9, gradW.getDouble(0, 0, 1, 1), EPS);   // w(1,1): 60
        // (27) ∂C/∂a(x,y) = Σ_{x',y'} δ(x',y') w(x−x', y−y'):
        //   δ(0,1)=3 reaches a(0,1) via w(0,0)=1, a(1,1) via w(1,0)=0, a(0,2) via w(0,1)=-1, a(1,2) via w(1,1)=2
        //   δ(1,1)=4 reaches a(1,1) via w(0,0)=1, a(2,1) via w(1,0)=0, a(1,2) via w(0,1)=-1, a(2,2) via w(1,1)=2
        double[] expected = {
            0, 0, 0,                               // y = 0
            3 * 1, 3 * 0 + 4 * 1, 4 * 0,           // y = 1: 3, 4, 0
            3 * -1, 3 * 2 + 4 * -1, 4 * 2};        // y = 2: -3, 2, 8
        assertArrayEquals(new long[] {1, 9}, gradInput.shape(), "flat input gives a flat input gradient");
        assertArrayEquals(expected, gradInput.toDoubleVector(), EPS);
    }

    @Test
    void twoChannelsDepthTwo() {
        // input 3×2×2 (W=3, H=2, C=2):
        //   channel 0: y=0: 1  2  3 | y=1: 4 5  6
        //   channel 1: y=0: 0 -1  2 | y=1: 1 0 -2
        INDArray input = flat(new double[][][] {{{1, 2, 3}, {4, 5, 6}}, {{0, -1, 2}, {1, 0, -2}}});
        // W[d][k][j][i]
        double[][][][] w = {
            {{{1, 0}, {0, 1}}, {{0, 2}, {0, 0}}},     // filter 0: w(0,0,0)=1, w(1,1,0)=1, w(1,0,1)=2
            {{{0, 0}, {-1, 0}}, {{1, 1}, {1, 1}}}};   // filter 1: w(0,1,0)=-1, every w(i,j,1)=1
        ConvolutionalLayer layer = layer(new Shape(3, 2, 2), 2, 2, 2, w, new double[] {0, 10});
        INDArray a = nhwc(layer.forward(input, Mode.INFERENCE));
        assertArrayEquals(new long[] {1, 1, 2, 2}, a.shape());   // (N, H'=1, W'=2, D=2)
        // (24), filter 0: z0(x,0) = a0(x,0) + a0(x+1,1) + 2·a1(x+1,0) + 0
        assertEquals(1 + 5 + 2 * -1, a.getDouble(0, 0, 0, 0), EPS);    // 4
        assertEquals(2 + 6 + 2 * 2, a.getDouble(0, 0, 1, 0), EPS);     // 12
        // filter 1: z1(x,0) = −a0(x,1) + a1(x,0) + a1(x+1,0) + a1(x,1) + a1(x+1,1) + 10
        assertEquals(-4 + 0 + -1 + 1 + 0 + 10, a.getDouble(0, 0, 0, 1), EPS);   // 6
        assertEquals(-5 + -1 + 2 + 0 + -2 + 10, a.getDouble(0, 0, 1, 1), EPS);  // 4

        // backward with g = 1 everywhere, all z > 0 so δ = 1: (28) ∂C/∂w(i,j,k) = Σ_x a_k(x+i, j)
        layer.forward(input, Mode.TRAINING);
        layer.backward(spatialFromNhwc(Nd4j.ones(DataType.DOUBLE, 1, 1, 2, 2)), true);
        INDArray gradW = layer.parameters().get(0).gradient();
        for (int d = 0; d < 2; d++) {
            assertEquals(1 + 2, gradW.getDouble(d, 0, 0, 0), EPS);     // k=0, (i,j)=(0,0): a0(0,0)+a0(1,0)
            assertEquals(2 + 3, gradW.getDouble(d, 0, 0, 1), EPS);     // k=0, (1,0)
            assertEquals(4 + 5, gradW.getDouble(d, 0, 1, 0), EPS);     // k=0, (0,1)
            assertEquals(5 + 6, gradW.getDouble(d, 0, 1, 1), EPS);     // k=0, (1,1)
            assertEquals(0 + -1, gradW.getDouble(d, 1, 0, 0), EPS);    // k=1, (0,0)
            assertEquals(-1 + 2, gradW.getDouble(d, 1, 0, 1), EPS);    // k=1, (1,0)
            assertEquals(1 + 0, gradW.getDouble(d, 1, 1, 0), EPS);     // k=1, (0,1)
            assertEquals(0 + -2, gradW.getDouble(d, 1, 1, 1), EPS);    // k=1, (1,1)
            assertEquals(2, layer.parameters().get(1).gradient().getDouble(d), EPS);   // Σ δ over 2 positions
        }
    }

    @Test
    void reluDerivativeAtExactlyZeroIsZero() {
        // 1×1 kernel of weight 1 and bias −1 on a 2×2 input [1, 2; 0.5, 1]: z = [0, 1; −0.5, 0] exactly.
        // (26) R'(z) = 0 for z ≤ 0, so only position (1,0) passes the gradient (the reference's code uses R'(0) = 1;
        // this project follows the seed).
        INDArray input = flat(new double[][][] {{{1, 2}, {0.5, 1}}});
        ConvolutionalLayer layer = layer(new Shape(2, 2, 1), 1, 1, 1, new double[][][][] {{{{1}}}}, new double[] {-1});
        INDArray a = layer.forward(input, Mode.TRAINING);
        assertArrayEquals(new double[] {0, 1, 0, 0}, a.reshape(4).toDoubleVector(), EPS);
        INDArray gradInput = layer.backward(
                spatialFromNhwc(Nd4j.createFromArray(new double[] {10, 20, 30, 40}).reshape(1, 2, 2, 1)), true);
        // δ = g ⊙ R'(z) = [0, 20, 0, 0]; ∂C/∂b = 20; ∂C/∂w = Σ δ a = 20·2 = 40; ∂C/∂a = δ·w = [0, 20, 0, 0]
        assertEquals(20, layer.parameters().get(1).gradient().getDouble(0), EPS);
        assertEquals(40, layer.parameters().get(0).gradient().getDouble(0), EPS);
        assertArrayEquals(new double[] {0, 20, 0, 0}, gradInput.toDoubleVector(), EPS);
    }

    // ---------------------------------------------------------------------------------------------------------
    // (b) against nested loops straight from the equations

    /** Every shape on both kernel implementations. */
    static Stream<Arguments> shapesOnBothKernels() {
        return shapes().flatMap(a -> Stream.of("fast", "plain").map(k -> {
            Object[] args = java.util.Arrays.copyOf(a.get(), a.get().length + 1);
            args[args.length - 1] = k;
            return Arguments.of(args);
        }));
    }

    static Stream<Arguments> shapes() {
        // N, W, H, C, D, kW, kH, spatial input?
        return Stream.of(
                Arguments.of(2, 5, 4, 3, 2, 3, 2, false),
                Arguments.of(3, 4, 6, 2, 3, 2, 3, false),
                Arguments.of(2, 7, 3, 1, 4, 3, 1, false),
                Arguments.of(2, 3, 5, 2, 2, 1, 4, true),
                Arguments.of(1, 6, 6, 4, 3, 4, 4, false),
                Arguments.of(2, 3, 3, 3, 2, 3, 3, true),
                Arguments.of(3, 5, 2, 2, 1, 2, 1, false),
                // kW·C ≥ 16 and kH·C < 64: full rows, (28) by kernel row
                Arguments.of(2, 6, 5, 8, 3, 2, 3, false),
                Arguments.of(2, 4, 4, 16, 2, 1, 2, true),
                // kH·C ≥ 64: (24) and (28) by output image row over the valid positions
                Arguments.of(2, 6, 5, 16, 3, 3, 4, false),
                Arguments.of(2, 5, 6, 32, 2, 2, 2, true),
                Arguments.of(1, 4, 4, 24, 2, 4, 3, false),
                Arguments.of(3, 3, 2, 64, 2, 2, 1, true));
    }

    @ParameterizedTest(name = "N={0} W={1} H={2} C={3} D={4} kW={5} kH={6} spatialInput={7} kernels={8}")
    @MethodSource("shapesOnBothKernels")
    void matchesNestedLoopsOfTheEquationsOverConsecutiveMiniBatches(int n, int w, int h, int c, int depth, int kW,
            int kH, boolean spatialIn, String kernels) {
        Random random = new Random(1000L * n + 100L * w + 10L * h + c + depth * 7L + kW * 3L + kH);
        int wOut = w - kW + 1;
        int hOut = h - kH + 1;
        double[][][][] kernel = new double[depth][c][kH][kW]; // kernel[d][k][j][i] = w_{i,j,k}^d
        double[] bias = new double[depth];
        fill(kernel, random);
        for (int d = 0; d < depth; d++) {
            bias[d] = random.nextGaussian() * 0.5;
        }
        Shape inputShape = new Shape(w, h, c);
        ConvolutionalLayer layer = new ConvolutionalLayer(new ConvolutionalLayerSpec(depth, new Size2D(kW, kH), 0.1, 1,
                0), inputShape, Nd4j.createFromArray(kernel), Nd4j.createFromArray(new double[][] {bias}), 7,
                Kernels.named(kernels));
        assertEquals(new Shape(wOut, hOut, depth), layer.outputShape());
        // Consecutive mini-batches through the same layer (its work arrays are reused): each backward pass leaves
        // the gradients of its own mini-batch, never a sum with the previous ones
        for (int batch = 0; batch < MINI_BATCHES; batch++) {
            nestedLoopsOneMiniBatch(layer, Kernels.named(kernels), random, batch, n, w, h, c, depth, kW, kH, spatialIn);
        }
    }

    private static void nestedLoopsOneMiniBatch(ConvolutionalLayer layer, Kernels kernels, Random random, int batch,
            int n, int w, int h, int c, int depth, int kW, int kH, boolean spatialIn) {
        int wOut = w - kW + 1;
        int hOut = h - kH + 1;
        Shape inputShape = new Shape(w, h, c);
        double[][][][] kernel = kernelOf(layer);
        double[] bias = layer.biases().toDoubleVector();
        double[][][][] in = new double[n][c][h][w];          // in[n][k][y][x]
        double[][][][] g = new double[n][depth][hOut][wOut];  // ∂C/∂a_{x,y}^d
        fill(in, random);
        fill(g, random);

        // (24) z_{x,y}^d = Σ_i Σ_j Σ_k w_{i,j,k}^d a_{x+i,y+j,k} + b^d ; (25) a = R(z)
        double[][][][] z = new double[n][depth][hOut][wOut];
        for (int s = 0; s < n; s++) {
            for (int d = 0; d < depth; d++) {
                for (int y = 0; y < hOut; y++) {
                    for (int x = 0; x < wOut; x++) {
                        double sum = bias[d];
                        for (int i = 0; i < kW; i++) {
                            for (int j = 0; j < kH; j++) {
                                for (int k = 0; k < c; k++) {
                                    sum += kernel[d][k][j][i] * in[s][k][y + j][x + i];
                                }
                            }
                        }
                        z[s][d][y][x] = sum;
                    }
                }
            }
        }
        // δ = ∂C/∂a ⊙ R'(z), (26)
        double[][][][] delta = new double[n][depth][hOut][wOut];
        for (int s = 0; s < n; s++) {
            for (int d = 0; d < depth; d++) {
                for (int y = 0; y < hOut; y++) {
                    for (int x = 0; x < wOut; x++) {
                        delta[s][d][y][x] = g[s][d][y][x] * (z[s][d][y][x] > 0 ? 1 : 0);
                    }
                }
            }
        }
        // (27) ∂C/∂a_{x,y,k} = Σ_d Σ_{x',y'} δ_{x',y'}^d w_{x−x',y−y',k}^d (full convolution; w is 0 outside the kernel)
        double[][][][] gradIn = new double[n][c][h][w];
        for (int s = 0; s < n; s++) {
            for (int k = 0; k < c; k++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        double sum = 0;
                        for (int d = 0; d < depth; d++) {
                            for (int yp = 0; yp < hOut; yp++) {
                                for (int xp = 0; xp < wOut; xp++) {
                                    int i = x - xp;
                                    int j = y - yp;
                                    if (i >= 0 && i < kW && j >= 0 && j < kH) {
                                        sum += delta[s][d][yp][xp] * kernel[d][k][j][i];
                                    }
                                }
                            }
                        }
                        gradIn[s][k][y][x] = sum;
                    }
                }
            }
        }
        // (28) ∂C/∂w_{i,j,k}^d = Σ_x Σ_y δ_{x,y}^d a_{x+i,y+j,k}, summed over the mini-batch; ∂C/∂b^d = Σ δ^d
        double[][][][] gradW = new double[depth][c][kH][kW];
        double[] gradB = new double[depth];
        for (int d = 0; d < depth; d++) {
            for (int s = 0; s < n; s++) {
                for (int y = 0; y < hOut; y++) {
                    for (int x = 0; x < wOut; x++) {
                        gradB[d] += delta[s][d][y][x];
                        for (int k = 0; k < c; k++) {
                            for (int j = 0; j < kH; j++) {
                                for (int i = 0; i < kW; i++) {
                                    gradW[d][k][j][i] += delta[s][d][y][x] * in[s][k][y + j][x + i];
                                }
                            }
                        }
                    }
                }
            }
        }

        // The layer
        INDArray flatIn = Nd4j.create(DataType.DOUBLE, n, (long) c * h * w);
        for (int s = 0; s < n; s++) {
            for (int k = 0; k < c; k++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        flatIn.putScalar(s, (long) k * w * h + (long) y * w + x, in[s][k][y][x]);
                    }
                }
            }
        }
        // spatial arrays in the kernels' own layout; read back and compared in the reference's flat order
        Shape outputShape = new Shape(wOut, hOut, depth);
        INDArray input = spatialIn ? kernels.spatial(flatIn, inputShape) : flatIn;
        INDArray gOut = Nd4j.create(DataType.DOUBLE, n, (long) depth * hOut * wOut);
        for (int s = 0; s < n; s++) {
            for (int d = 0; d < depth; d++) {
                for (int y = 0; y < hOut; y++) {
                    for (int x = 0; x < wOut; x++) {
                        gOut.putScalar(s, (long) d * hOut * wOut + (long) y * wOut + x, g[s][d][y][x]);
                    }
                }
            }
        }
        // training first, as a trainer starts (no inference pass before its first step), then inference, as an
        // evaluation between two steps; ∂C/∂a in the output's layout, or flat in the reference's order every other
        // mini-batch (the layer takes either)
        INDArray a = kernels.flat(layer.forward(input, Mode.TRAINING), outputShape).dup();
        INDArray gradInput = layer.backward(batch % 2 == 1 ? gOut : kernels.spatial(gOut, outputShape), true);
        INDArray inference = kernels.flat(layer.forward(input, Mode.INFERENCE), outputShape).dup();

        double tol = 1e-10;
        assertArrayEquals(new long[] {n, (long) depth * hOut * wOut}, a.shape());
        assertArrayEquals(input.shape(), gradInput.shape(), "input gradient comes back in the input's layout");
        INDArray gradInputFlat = kernels.flat(gradInput, inputShape);
        INDArray layerGradW = layer.parameters().get(0).gradient();
        INDArray layerGradB = layer.parameters().get(1).gradient();
        for (int s = 0; s < n; s++) {
            for (int d = 0; d < depth; d++) {
                for (int y = 0; y < hOut; y++) {
                    for (int x = 0; x < wOut; x++) {
                        double expected = Math.max(0, z[s][d][y][x]);
                        long at = (long) d * hOut * wOut + (long) y * wOut + x;
                        assertEquals(expected, a.getDouble(s, at), tol, "a n" + s + " d" + d + " y" + y + " x" + x);
                        assertEquals(expected, inference.getDouble(s, at), tol, "inference a");
                    }
                }
            }
            for (int k = 0; k < c; k++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        assertEquals(gradIn[s][k][y][x], gradInputFlat.getDouble(s, (long) k * w * h + (long) y * w + x),
                                tol, "∂C/∂a n" + s + " k" + k + " y" + y + " x" + x);
                    }
                }
            }
        }
        for (int d = 0; d < depth; d++) {
            assertEquals(gradB[d], layerGradB.getDouble(d), tol, "∂C/∂b d" + d);
            for (int k = 0; k < c; k++) {
                for (int j = 0; j < kH; j++) {
                    for (int i = 0; i < kW; i++) {
                        assertEquals(gradW[d][k][j][i], layerGradW.getDouble(d, k, j, i), tol,
                                "∂C/∂w d" + d + " k" + k + " j" + j + " i" + i);
                    }
                }
            }
        }
    }

    /** The layer's kernels W (D, C, kH, kW) as kernel[d][k][j][i]. */
    private static double[][][][] kernelOf(ConvolutionalLayer layer) {
        long[] shape = layer.kernels().shape();
        double[][][][] kernel = new double[(int) shape[0]][(int) shape[1]][(int) shape[2]][(int) shape[3]];
        for (int d = 0; d < shape[0]; d++) {
            for (int k = 0; k < shape[1]; k++) {
                for (int j = 0; j < shape[2]; j++) {
                    for (int i = 0; i < shape[3]; i++) {
                        kernel[d][k][j][i] = layer.kernels().getDouble(d, k, j, i);
                    }
                }
            }
        }
        return kernel;
    }

    private static void fill(double[][][][] array, Random random) {
        for (double[][][] a3 : array) {
            for (double[][] a2 : a3) {
                for (double[] a1 : a2) {
                    for (int i = 0; i < a1.length; i++) {
                        a1[i] = random.nextGaussian();
                    }
                }
            }
        }
    }

    /** A spatial layer output read as (N, H, W, D), the order the expectations are written in. */
    static INDArray nhwc(INDArray spatial) {
        return spatial.permute(1, 0, 2, 3);
    }

    /** A gradient written as (N, H, W, D), put in the layers' spatial layout (H, N, W, D). */
    static INDArray spatialFromNhwc(INDArray g) {
        return g.permute(1, 0, 2, 3).dup('c');
    }
}
