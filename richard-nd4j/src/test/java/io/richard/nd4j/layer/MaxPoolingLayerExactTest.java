package io.richard.nd4j.layer;

import io.richard.nd4j.kernel.Layouts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.richard.api.Mode;
import io.richard.api.Shape;
import io.richard.api.spec.MaxPoolingLayerSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Max pooling, (29) forward and (33) backward, with hand-computed numbers. Ties follow the reference (§8): the
 * gradient goes only to the FIRST maximum in scan order, row by row from y = 0 and x ascending within a row.
 *
 * <p>Inputs are written as planes[c][y][x] and given flat (N, W·H·C) in reference order c·W·H + y·W + x; the
 * output is spatial (H', N, W', C); the input gradient comes back flat like the input.
 */
class MaxPoolingLayerExactTest {

    private static final double EPS = 1e-12;

    /** Flat reference-order input, one row per sample, from samples[n][c][y][x]. */
    static INDArray flat(double[][][][] samples) {
        int c = samples[0].length;
        int h = samples[0][0].length;
        int w = samples[0][0][0].length;
        INDArray out = Nd4j.create(DataType.DOUBLE, samples.length, (long) c * h * w);
        for (int n = 0; n < samples.length; n++) {
            for (int k = 0; k < c; k++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        out.putScalar(n, (long) k * w * h + (long) y * w + x, samples[n][k][y][x]);
                    }
                }
            }
        }
        return out;
    }

    /** A spatial (H', N, W', C) gradient from g[n][c][y][x]. */
    static INDArray spatial(double[][][][] g) {
        int c = g[0].length;
        int h = g[0][0].length;
        int w = g[0][0][0].length;
        INDArray out = Nd4j.create(DataType.DOUBLE, h, g.length, w, c);   // the spatial layout (H, N, W, C)
        for (int n = 0; n < g.length; n++) {
            for (int k = 0; k < c; k++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        out.putScalar(new long[] {y, n, x, k}, g[n][k][y][x]);
                    }
                }
            }
        }
        return out;
    }

    static void assertSpatial(double[][][][] expected, INDArray spatial) {
        INDArray actual = spatial.permute(1, 0, 2, 3);    // the layers' (H, N, W, C) read as (N, H, W, C)
        int c = expected[0].length;
        int h = expected[0][0].length;
        int w = expected[0][0][0].length;
        assertArrayEquals(new long[] {expected.length, h, w, c}, actual.shape(), "output (N, H', W', C)");
        for (int n = 0; n < expected.length; n++) {
            for (int k = 0; k < c; k++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        assertEquals(expected[n][k][y][x], actual.getDouble(n, y, x, k), EPS,
                                "n" + n + " c" + k + " y" + y + " x" + x);
                    }
                }
            }
        }
    }

    // 4×4×1, regions 2×2:
    //   y=0: 1 3 | 2 0        region (0,0) = {1,3,4,2}: max 4 at (0,1)
    //   y=1: 4 2 | 1 5        region (1,0) = {2,0,1,5}: max 5 at (3,1)
    //   ----------------
    //   y=2: 0 0 | 1 7        region (0,1) = {0,0,0,0}: all equal → first in scan order, (0,2)
    //   y=3: 0 0 | 7 1        region (1,1) = {1,7,7,1}: 7 at (3,2) and (2,3); row by row (3,2) comes first
    //                         (column-major scanning would pick (2,3) instead)
    private static final double[][][] SQUARE = {{{1, 3, 2, 0}, {4, 2, 1, 5}, {0, 0, 1, 7}, {0, 0, 7, 1}}};

    @Test
    void square4x4With2x2RegionsForwardBackwardAndTies() {
        MaxPoolingLayer layer = new MaxPoolingLayer(new MaxPoolingLayerSpec(2, 2), new Shape(4, 4, 1));
        assertEquals(new Shape(2, 2, 1), layer.outputShape());
        assertTrue(layer.parameters().isEmpty());
        INDArray input = flat(new double[][][][] {SQUARE});

        // (29) z = max over each region
        INDArray a = layer.forward(input, Mode.TRAINING);
        assertSpatial(new double[][][][] {{{{4, 5}, {0, 7}}}}, a);
        assertSpatial(new double[][][][] {{{{4, 5}, {0, 7}}}}, layer.forward(input, Mode.INFERENCE));

        // (33) δ = [10 20; 30 40] routed to the (first) argmax of each region, 0 elsewhere
        layer.forward(input, Mode.TRAINING);
        INDArray gradInput = layer.backward(spatial(new double[][][][] {{{{10, 20}, {30, 40}}}}), true);
        double[] expected = {
            0, 0, 0, 0,
            10, 0, 0, 20,
            30, 0, 0, 40,
            0, 0, 0, 0};
        assertArrayEquals(new long[] {1, 16}, gradInput.shape());
        assertArrayEquals(expected, gradInput.toDoubleVector(), EPS);
    }

    // 4×2×2 (W=4, H=2, C=2):
    //   channel 0: y=0:  1  2 |  3  3      channel 1: y=0:  0  0 |  9  8
    //              y=1:  5  4 | -1 -2                 y=1: -3 -3 |  6  6
    private static final double[][][] WIDE = {
        {{1, 2, 3, 3}, {5, 4, -1, -2}},
        {{0, 0, 9, 8}, {-3, -3, 6, 6}}};

    @Test
    void nonSquareMultiChannelWith2x1Regions() {
        // regions 2×1 (rW=2, rH=1): output 2×2×2
        MaxPoolingLayer layer = new MaxPoolingLayer(new MaxPoolingLayerSpec(2, 1), new Shape(4, 2, 2));
        assertEquals(new Shape(2, 2, 2), layer.outputShape());
        INDArray input = flat(new double[][][][] {WIDE});
        INDArray a = layer.forward(input, Mode.TRAINING);
        // channel 0: {1,2}→2 at x=1; {3,3}→3, tie, first x=2; {5,4}→5 at x=0; {-1,-2}→-1 at x=2
        // channel 1: {0,0}→0, tie, x=0; {9,8}→9 at x=2; {-3,-3}→-3, tie, x=0; {6,6}→6, tie, x=2
        assertSpatial(new double[][][][] {{{{2, 3}, {5, -1}}, {{0, 9}, {-3, 6}}}}, a);

        INDArray g = spatial(new double[][][][] {{{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}}});
        INDArray gradInput = layer.backward(g, true);
        double[] expected = {
            // channel 0
            0, 1, 2, 0,
            3, 0, 4, 0,
            // channel 1
            5, 0, 6, 0,
            7, 0, 8, 0};
        assertArrayEquals(expected, gradInput.toDoubleVector(), EPS);
    }

    @Test
    void nonSquareMultiChannelWith2x2Regions() {
        // regions 2×2 on 4×2: output 2×1×2
        MaxPoolingLayer layer = new MaxPoolingLayer(new MaxPoolingLayerSpec(2, 2), new Shape(4, 2, 2));
        assertEquals(new Shape(2, 1, 2), layer.outputShape());
        INDArray input = flat(new double[][][][] {WIDE});
        INDArray a = layer.forward(input, Mode.TRAINING);
        // channel 0: {1,2,5,4}→5 at (0,1); {3,3,-1,-2}→3, tie, first (2,0)
        // channel 1: {0,0,-3,-3}→0, tie, first (0,0); {9,8,6,6}→9 at (2,0)
        assertSpatial(new double[][][][] {{{{5, 3}}, {{0, 9}}}}, a);
        INDArray gradInput = layer.backward(spatial(new double[][][][] {{{{1, 2}}, {{3, 4}}}}), true);
        double[] expected = {
            0, 0, 2, 0,
            1, 0, 0, 0,
            3, 0, 4, 0,
            0, 0, 0, 0};
        assertArrayEquals(expected, gradInput.toDoubleVector(), EPS);
    }

    @Test
    void verticalRegions1x2() {
        // regions 1×2 (rW=1, rH=2) on the 4×2×2 input: output 4×1×2, each region is a column pair (x, 0), (x, 1)
        MaxPoolingLayer layer = new MaxPoolingLayer(new MaxPoolingLayerSpec(1, 2), new Shape(4, 2, 2));
        assertEquals(new Shape(4, 1, 2), layer.outputShape());
        INDArray a = layer.forward(flat(new double[][][][] {WIDE}), Mode.TRAINING);
        // channel 0: max(1,5)=5 (y=1), max(2,4)=4 (y=1), max(3,-1)=3 (y=0), max(3,-2)=3 (y=0)
        // channel 1: max(0,-3)=0, max(0,-3)=0, max(9,6)=9, max(8,6)=8, all at y=0
        assertSpatial(new double[][][][] {{{{5, 4, 3, 3}}, {{0, 0, 9, 8}}}}, a);
        INDArray gradInput = layer.backward(spatial(new double[][][][] {{{{1, 2, 3, 4}}, {{5, 6, 7, 8}}}}), true);
        assertArrayEquals(new double[] {0, 0, 3, 4, 1, 2, 0, 0, 5, 6, 7, 8, 0, 0, 0, 0},
                gradInput.toDoubleVector(), EPS);
    }

    @Test
    void miniBatchOfThreeSamplesIsPooledPerSample() {
        MaxPoolingLayer layer = new MaxPoolingLayer(new MaxPoolingLayerSpec(2, 1), new Shape(4, 2, 2));
        // sample 1 is sample 0 negated: every max becomes the negated min of its region; sample 2 is all equal.
        double[][][] negated = new double[2][2][4];
        double[][][] constant = new double[2][2][4];
        for (int c = 0; c < 2; c++) {
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 4; x++) {
                    negated[c][y][x] = -WIDE[c][y][x];
                    constant[c][y][x] = 0.25;
                }
            }
        }
        INDArray input = flat(new double[][][][] {WIDE, negated, constant});
        INDArray a = layer.forward(input, Mode.TRAINING);
        // sample 1, channel 0: {-1,-2}→-1 at x=0; {-3,-3}→-3 tie x=2; {-5,-4}→-4 at x=1; {1,2}→2 at x=3
        //           channel 1: {0,0}→0 tie x=0 (0 and -0 compare equal); {-9,-8}→-8 at x=3; {3,3}→3 tie x=0;
        //                      {-6,-6}→-6 tie x=2
        assertSpatial(new double[][][][] {
            {{{2, 3}, {5, -1}}, {{0, 9}, {-3, 6}}},
            {{{-1, -3}, {-4, 2}}, {{0, -8}, {3, -6}}},
            {{{0.25, 0.25}, {0.25, 0.25}}, {{0.25, 0.25}, {0.25, 0.25}}}}, a);

        double[][][][] g = new double[3][2][2][2];
        int v = 1;
        for (int n = 0; n < 3; n++) {
            for (int c = 0; c < 2; c++) {
                for (int y = 0; y < 2; y++) {
                    for (int x = 0; x < 2; x++) {
                        g[n][c][y][x] = v++;   // 1 … 24
                    }
                }
            }
        }
        INDArray gradInput = layer.backward(spatial(g), true);
        assertArrayEquals(new long[] {3, 16}, gradInput.shape());
        assertArrayEquals(new double[] {0, 1, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8, 0},
                gradInput.getRow(0).toDoubleVector(), EPS);
        assertArrayEquals(new double[] {9, 0, 10, 0, 0, 11, 0, 12, 13, 0, 0, 14, 15, 0, 16, 0},
                gradInput.getRow(1).toDoubleVector(), EPS);
        // all equal: every region's gradient goes to its first element (x even)
        assertArrayEquals(new double[] {17, 0, 18, 0, 19, 0, 20, 0, 21, 0, 22, 0, 23, 0, 24, 0},
                gradInput.getRow(2).toDoubleVector(), EPS);
    }

    @Test
    void spatialInputGivesSpatialGradientAndNoInputGradientGivesNull() {
        MaxPoolingLayer layer = new MaxPoolingLayer(new MaxPoolingLayerSpec(2, 2), new Shape(4, 4, 1));
        INDArray input = Layouts.spatial(flat(new double[][][][] {SQUARE}), new Shape(4, 4, 1));
        layer.forward(input, Mode.TRAINING);
        INDArray gradInput = layer.backward(spatial(new double[][][][] {{{{10, 20}, {30, 40}}}}), true);
        assertArrayEquals(new long[] {4, 1, 4, 1}, gradInput.shape());   // spatial (H, N, W, C)
        assertEquals(10, gradInput.getDouble(1, 0, 0, 0), EPS);   // (x=0, y=1)
        assertEquals(20, gradInput.getDouble(1, 0, 3, 0), EPS);   // (x=3, y=1)
        assertEquals(30, gradInput.getDouble(2, 0, 0, 0), EPS);   // (x=0, y=2)
        assertEquals(40, gradInput.getDouble(2, 0, 3, 0), EPS);   // (x=3, y=2)
        assertEquals(100, gradInput.sumNumber().doubleValue(), EPS);
        assertNull(layer.backward(spatial(new double[][][][] {{{{10, 20}, {30, 40}}}}), false));
    }
    @Test
    void inputViewGetsItsGradientInTheSameLayoutWithNothingWrittenOutsideIt() {
        // the 4×4 input as the first four columns of a 4×6-wide array (a convolution's output is such a view)
        Shape shape = new Shape(4, 4, 1);
        INDArray wide = Nd4j.zeros(DataType.DOUBLE, 4, 1, 6, 1);
        INDArray input = wide.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 4),
                NDArrayIndex.all());
        input.assign(Layouts.spatial(flat(new double[][][][] {SQUARE}), shape));
        MaxPoolingLayer onView = new MaxPoolingLayer(new MaxPoolingLayerSpec(2, 2), shape);
        MaxPoolingLayer onCopy = new MaxPoolingLayer(new MaxPoolingLayerSpec(2, 2), shape);
        INDArray delta = spatial(new double[][][][] {{{{10, 20}, {30, 40}}}});

        onView.forward(input, Mode.TRAINING);
        onCopy.forward(input.dup(), Mode.TRAINING);
        INDArray gradient = onView.backward(delta, true);

        assertArrayEquals(input.stride(), gradient.stride(), "laid out like the input");
        assertEquals(wide.length(), gradient.data().length(), "over memory as long as the input's");
        assertTrue(onCopy.backward(delta, true).equalsWithEps(gradient, 0.0));
        assertTrue(poolByHand(input, 2, 2, delta)[1].equalsWithEps(gradient, 0.0), gradient.toString());
        INDArray memory = Nd4j.create(gradient.data(), new long[] {4, 1, 6, 1});
        assertEquals(0.0, memory.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(4, 6),
                NDArrayIndex.all()).sumNumber().doubleValue(), 0.0, "columns 4 and 5 are not the input's");
    }
    @Test
    void inputInWiderMemoryRowsIsPooledByRowAndItsGradientWrittenOnlyInsideTheRows() {
        // three samples of 4×4×2 as the first four columns of rows 6 pixels wide: the layer computes three
        // region columns per row (the third reads columns 4 and 5, which are not the input's) and returns two
        Shape shape = new Shape(4, 4, 2);
        Nd4j.getRandom().setSeed(5);
        INDArray wide = Nd4j.rand(DataType.DOUBLE, 4, 3, 6, 2);
        INDArray input = wide.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 4),
                NDArrayIndex.all());
        input.getScalar(1, 2, 2, 1).assign(2.0);                                     // a tie for the maximum of a
        input.getScalar(1, 2, 3, 1).assign(2.0);                                     // region (values are < 1)
        MaxPoolingLayer onView = new MaxPoolingLayer(new MaxPoolingLayerSpec(2, 2), shape);
        MaxPoolingLayer onCopy = new MaxPoolingLayer(new MaxPoolingLayerSpec(2, 2), shape);
        INDArray delta = Nd4j.rand(DataType.DOUBLE, 2, 3, 2, 2).addi(1);

        INDArray pooled = onView.forward(input, Mode.TRAINING);
        INDArray[] byHand = poolByHand(input, 2, 2, delta);
        assertTrue(byHand[0].equalsWithEps(pooled, 0.0), pooled.toString());
        assertTrue(onCopy.forward(input.dup(), Mode.TRAINING).equalsWithEps(pooled, 0.0), pooled.toString());
        INDArray gradient = onView.backward(delta, true);
        assertTrue(byHand[1].equalsWithEps(gradient, 0.0), "the tie's gradient goes to x = 2 only: " + gradient);
        assertEquals(delta.getDouble(0, 2, 1, 1), gradient.getDouble(1, 2, 2, 1), 0, "first maximum of the tie");
        assertEquals(0, gradient.getDouble(1, 2, 3, 1), 0, "second maximum of the tie");

        assertArrayEquals(input.stride(), gradient.stride(), "laid out like the input");
        assertTrue(onCopy.backward(delta, true).equalsWithEps(gradient, 0.0), gradient.toString());
        INDArray memory = Nd4j.create(gradient.data(), new long[] {4, 3, 6, 2});
        assertEquals(0.0, memory.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(4, 6),
                NDArrayIndex.all()).sumNumber().doubleValue(), 0.0, "columns 4 and 5 are not the input's");
        assertEquals(delta.sumNumber().doubleValue(), gradient.sumNumber().doubleValue(), 1e-12);
    }
    @Test
    void inputWithTheSamplesOfEachPixelTogetherIsPooledAsIfContiguous() {
        // two samples of 4×6×3 held as (y, x, sample, channel), as a convolution by output image row leaves them
        Shape shape = new Shape(6, 4, 3);
        Nd4j.getRandom().setSeed(9);
        INDArray input = Nd4j.rand(DataType.DOUBLE, 4, 6, 2, 3).permute(0, 2, 1, 3);
        MaxPoolingLayer inOrder = new MaxPoolingLayer(new MaxPoolingLayerSpec(3, 2), shape);
        MaxPoolingLayer onCopy = new MaxPoolingLayer(new MaxPoolingLayerSpec(3, 2), shape);
        INDArray delta = Nd4j.rand(DataType.DOUBLE, 2, 2, 2, 3).addi(1);

        INDArray pooled = inOrder.forward(input, Mode.TRAINING);
        INDArray[] byHand = poolByHand(input, 3, 2, delta);
        assertTrue(byHand[0].equalsWithEps(pooled, 0.0), pooled.toString());
        assertTrue(onCopy.forward(input.dup('c'), Mode.TRAINING).equalsWithEps(pooled, 0.0), pooled.toString());
        INDArray gradient = inOrder.backward(delta, true);
        assertTrue(byHand[1].equalsWithEps(gradient, 0.0), gradient.toString());

        assertArrayEquals(input.stride(), gradient.stride(), "laid out like the input");
        assertTrue(onCopy.backward(delta, true).equalsWithEps(gradient, 0.0), gradient.toString());
        assertEquals(delta.sumNumber().doubleValue(), gradient.sumNumber().doubleValue(), 1e-12);
    }

    /**
     * The same values in every memory layout an input can come in (the layer copies regions by matrices for some,
     * element by element for others): forward and backward against (29) and (33) in plain Java.
     */
    @ParameterizedTest(name = "{0}, N={1}, C={2}, region {3}x{4}")
    @CsvSource({
        "c-order, 3, 2, 2, 2", "c-order, 1, 3, 2, 2", "f-order, 3, 2, 2, 2", "channels outermost, 2, 3, 2, 1",
        "samples of a pixel together, 3, 2, 3, 2", "rows wider by a region, 3, 2, 2, 2",
        "rows wider by a region, 1, 2, 2, 2", "rows wider by one pixel, 3, 2, 2, 2",
        "rows wider by a region ending where the memory ends, 2, 2, 2, 2", "one channel c-order, 3, 1, 3, 3",
        "one channel rows wider by a region, 2, 1, 3, 2", "every other pixel, 2, 2, 2, 2",
        "pixels C apart and channels far apart, 2, 3, 2, 2"})
    void everyInputLayoutPoolsAsTheEquationsSay(String layout, int n, int c, int rW, int rH) {
        int w = 3 * rW;
        int h = 2 * rH;
        Nd4j.getRandom().setSeed(layout.hashCode() + n);
        INDArray values = Nd4j.rand(DataType.DOUBLE, h, n, w, c);
        INDArray input = switch (layout) {
            case "c-order", "one channel c-order" -> values.dup('c');
            case "f-order" -> values.dup('f');
            case "channels outermost" -> values.permute(3, 0, 1, 2).dup('c').permute(1, 2, 3, 0);
            case "samples of a pixel together" -> values.permute(0, 2, 1, 3).dup('c').permute(0, 2, 1, 3);
            case "rows wider by a region", "one channel rows wider by a region" -> wider(values, rW, 0);
            case "rows wider by one pixel" -> wider(values, 1, 0);
            case "rows wider by a region ending where the memory ends" -> wider(values, rW, rW);
            case "every other pixel" -> {
                INDArray spread = Nd4j.rand(DataType.DOUBLE, h, n, 2 * w, c).addi(5);
                yield spread.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 2, 2 * w),
                        NDArrayIndex.all()).assign(values);
            }
            case "pixels C apart and channels far apart" -> {
                // channel k of every pixel in plane k of a (C, H, N, W, C) array: pixels C apart as in a C-order
                // array, but its channels are not next to each other
                INDArray planes = Nd4j.rand(DataType.DOUBLE, c, h, n, w, c).addi(5);
                yield planes.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(),
                        NDArrayIndex.point(0)).permute(1, 2, 3, 0).assign(values);
            }
            default -> throw new IllegalArgumentException(layout);
        };
        assertTrue(values.equalsWithEps(input, 0.0), "the layout holds the same values");
        Shape shape = new Shape(w, h, c);
        MaxPoolingLayer layer = new MaxPoolingLayer(new MaxPoolingLayerSpec(rW, rH), shape);
        INDArray delta = Nd4j.rand(DataType.DOUBLE, 2, n, 3, c).addi(1);
        INDArray[] byHand = poolByHand(values, rW, rH, delta);

        assertTrue(byHand[0].equalsWithEps(layer.forward(input, Mode.INFERENCE), 0.0), "inference, " + layout);
        INDArray pooled = layer.forward(input, Mode.TRAINING);
        assertTrue(byHand[0].equalsWithEps(pooled, 0.0), "training, " + layout + ": " + pooled);
        INDArray gradient = layer.backward(delta, true);
        assertTrue(byHand[1].equalsWithEps(gradient, 0.0), "input gradient, " + layout + ": " + gradient);
        // a second mini-batch through the same layer (its arrays reused) gives that batch's answers, with ∂C/∂a
        // given in F order this time
        INDArray again = Nd4j.rand(DataType.DOUBLE, h, n, w, c);
        input.assign(again);
        INDArray[] secondByHand = poolByHand(again, rW, rH, delta.mul(-1));
        assertTrue(secondByHand[0].equalsWithEps(layer.forward(input, Mode.TRAINING), 0.0), "second batch");
        assertTrue(secondByHand[1].equalsWithEps(layer.backward(delta.mul(-1).dup('f'), true), 0.0),
                "second gradient");
    }

    /**
     * {@code values} (H, N, W, C) as the columns {@code from} to {@code from} + W of an array whose rows are
     * {@code extra} pixels wider (as a convolution's full rows hold its output).
     */
    private static INDArray wider(INDArray values, int extra, int from) {
        long[] shape = values.shape();
        INDArray wide = Nd4j.rand(DataType.DOUBLE, shape[0], shape[1], shape[2] + extra, shape[3]).addi(5);
        INDArray view = wide.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(from,
                from + shape[2]), NDArrayIndex.all());
        view.assign(values);
        return view;
    }

    /**
     * (29) and (33) in plain Java on a spatial (H, N, W, C) input read element by element: the pooled values
     * (H', N, W', C) and the input gradient (H, N, W, C) for {@code delta}, the gradient going to the first maximum
     * of each region in scan order (y, then x).
     */
    static INDArray[] poolByHand(INDArray input, int rW, int rH, INDArray delta) {
        long h = input.size(0);
        long n = input.size(1);
        long w = input.size(2);
        long c = input.size(3);
        INDArray pooled = Nd4j.create(DataType.DOUBLE, h / rH, n, w / rW, c);
        INDArray gradient = Nd4j.zeros(DataType.DOUBLE, h, n, w, c);
        for (long s = 0; s < n; s++) {
            for (long k = 0; k < c; k++) {
                for (long py = 0; py < h / rH; py++) {
                    for (long px = 0; px < w / rW; px++) {
                        long bestY = py * rH;
                        long bestX = px * rW;
                        for (long y = py * rH; y < (py + 1) * rH; y++) {
                            for (long x = px * rW; x < (px + 1) * rW; x++) {
                                if (input.getDouble(y, s, x, k) > input.getDouble(bestY, s, bestX, k)) {
                                    bestY = y;
                                    bestX = x;
                                }
                            }
                        }
                        pooled.putScalar(new long[] {py, s, px, k}, input.getDouble(bestY, s, bestX, k));
                        gradient.putScalar(new long[] {bestY, s, bestX, k}, delta.getDouble(py, s, px, k));
                    }
                }
            }
        }
        return new INDArray[] {pooled, gradient};
    }
}
