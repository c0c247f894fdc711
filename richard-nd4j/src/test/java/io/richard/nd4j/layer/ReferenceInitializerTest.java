package io.richard.nd4j.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import io.richard.nd4j.Network;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The reference's initialisation (richard-reference.md §2): N(0, 0.1) from libstdc++'s
 * {@code std::normal_distribution<float>} (Marsaglia polar method) over {@code std::mt19937} seeded with 0, a
 * fresh distribution per weight matrix or kernel (its cached spare value dropped), and separate engines for
 * dense matrices and convolution kernels.
 */
class ReferenceInitializerTest {

    /** The first 10 values of a fresh engine and one distribution, std 0.1, printed by the C++ reference (§2). */
    static final float[] REFERENCE = {
        0.221220642f, 0.11630787f, 0.0774003789f, 0.0483804606f, 0.104344033f,
        0.0299563464f, 0.118392549f, 0.0153025463f, 0.189171135f, -0.116881482f};

    private static final double TOL = 1e-6;

    private static double[] values(INDArray array) {
        return array.castTo(DataType.DOUBLE).reshape(array.length()).toDoubleVector();
    }

    private static double[] reference(int... indices) {
        return Arrays.stream(indices).mapToDouble(i -> REFERENCE[i]).toArray();
    }

    @Test
    void seedZeroReproducesTheReferenceStream() {
        INDArray w = new ReferenceInitializer(0).denseWeights(1, 10, DataType.FLOAT);
        assertEquals(DataType.FLOAT, w.dataType());
        assertArrayEquals(new long[] {1, 10}, w.shape());
        assertArrayEquals(reference(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), values(w), TOL);
    }

    @Test
    void denseWeightsAreFilledRowMajorOneRowPerNeuron() {
        // a 2×5 matrix from one distribution is the same stream: row 0 = values 0..4, row 1 = values 5..9
        INDArray w = new ReferenceInitializer(0).denseWeights(2, 5, DataType.DOUBLE);
        assertEquals(DataType.DOUBLE, w.dataType());
        assertArrayEquals(reference(0, 1, 2, 3, 4), w.getRow(0).toDoubleVector(), TOL);
        assertArrayEquals(reference(5, 6, 7, 8, 9), w.getRow(1).toDoubleVector(), TOL);
    }

    @Test
    void eachMatrixStartsANewDistributionDroppingTheSpareValue() {
        // The polar method makes values in pairs (y·mult returned, x·mult cached). A 1×3 matrix uses pair 0
        // (values 0, 1) and pair 1 (value 2; value 3 is cached, then dropped with the distribution). The next
        // matrix's fresh distribution starts with pair 2, so it holds values 4, 5, 6 of the single stream.
        // (Rejected polar draws consume engine outputs but never change this pairing.)
        ReferenceInitializer init = new ReferenceInitializer(0);
        INDArray first = init.denseWeights(1, 3, DataType.FLOAT);
        INDArray second = init.denseWeights(1, 3, DataType.FLOAT);
        assertArrayEquals(reference(0, 1, 2), values(first), TOL);
        assertArrayEquals(reference(4, 5, 6), values(second), TOL);

        // An even count leaves no spare: 1×2 then 1×2 is values 0, 1 then 2, 3.
        ReferenceInitializer even = new ReferenceInitializer(0);
        assertArrayEquals(reference(0, 1), values(even.denseWeights(1, 2, DataType.FLOAT)), TOL);
        assertArrayEquals(reference(2, 3), values(even.denseWeights(1, 2, DataType.FLOAT)), TOL);
    }

    @Test
    void sameSeedIsIdenticalAndAnotherSeedDiffers() {
        INDArray a = new ReferenceInitializer(42).denseWeights(7, 9, DataType.FLOAT);
        INDArray b = new ReferenceInitializer(42).denseWeights(7, 9, DataType.FLOAT);
        INDArray c = new ReferenceInitializer(43).denseWeights(7, 9, DataType.FLOAT);
        assertArrayEquals(values(a), values(b), 0.0);
        assertFalse(Arrays.equals(values(a), values(c)));
        INDArray k1 = new ReferenceInitializer(42).kernels(3, 2, 3, 2, DataType.FLOAT);
        INDArray k2 = new ReferenceInitializer(42).kernels(3, 2, 3, 2, DataType.FLOAT);
        INDArray k3 = new ReferenceInitializer(43).kernels(3, 2, 3, 2, DataType.FLOAT);
        assertArrayEquals(values(k1), values(k2), 0.0);
        assertFalse(Arrays.equals(values(k1), values(k3)));
    }

    @Test
    void valuesLookLikeNormalWithStdPointOne() {
        double[] v = values(new ReferenceInitializer(0).denseWeights(100, 100, DataType.DOUBLE));
        double mean = Arrays.stream(v).average().orElseThrow();
        double var = Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / (v.length - 1);
        assertEquals(0.0, mean, 0.005);              // 4 standard errors of 0.1/√10000 = 0.001
        assertEquals(0.1, Math.sqrt(var), 0.003);
    }

    @Test
    void kernelsUseTheirOwnEngineStartingFromTheSameSequence() {
        // The reference's Kernel::randomize has its own mt19937 seeded with 0: the first kernel repeats the
        // first dense values even after dense matrices were drawn.
        ReferenceInitializer init = new ReferenceInitializer(0);
        init.denseWeights(4, 7, DataType.FLOAT);
        INDArray k = init.kernels(1, 1, 2, 5, DataType.FLOAT);   // (D, C, kH, kW) = (1, 1, 2, 5)
        assertArrayEquals(new long[] {1, 1, 2, 5}, k.shape());
        assertArrayEquals(reference(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), values(k), TOL);
        // ... and the dense engine is not disturbed by kernel draws: a fresh initialiser drawing kernels first
        ReferenceInitializer other = new ReferenceInitializer(0);
        other.kernels(2, 3, 3, 3, DataType.FLOAT);
        assertArrayEquals(reference(0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
                values(other.denseWeights(1, 10, DataType.FLOAT)), TOL);
    }

    @Test
    void eachKernelIsANewDistributionFilledXFastestThenYThenChannel() {
        // 2 filters of C=1, kH=1, kW=3: filter 0 = values 0, 1, 2 (3 cached and dropped), filter 1 = values 4, 5, 6
        INDArray k = new ReferenceInitializer(0).kernels(2, 1, 1, 3, DataType.FLOAT);
        assertArrayEquals(reference(0, 1, 2), values(k.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0))), TOL);
        assertArrayEquals(reference(4, 5, 6), values(k.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1))), TOL);
        // one filter of C=2, kH=2, kW=2: index = k·kW·kH + y·kW + x, i.e. W[0][k][y][x] = value[k·4 + y·2 + x]
        INDArray one = new ReferenceInitializer(0).kernels(1, 2, 2, 2, DataType.FLOAT);
        for (int c = 0; c < 2; c++) {
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 2; x++) {
                    assertEquals(REFERENCE[c * 4 + y * 2 + x], one.getDouble(0, c, y, x), TOL,
                            "W[0][" + c + "][" + y + "][" + x + "]");
                }
            }
        }
    }

    @Test
    void networkCreateUsesTheReferenceStreamsAndZeroBiases() {
        // Network.create draws the first dense matrix from the matrix engine and the first kernel from the kernel
        // engine, both seeded with the network seed; biases start at exactly 0.
        io.richard.api.spec.NetworkSpec spec = io.richard.api.spec.NetworkSpec.builder()
                .convolutional(1, 2, 1, 0.1)     // 1 filter of 2×1 on a 1-channel input: values 0, 1
                .dense(2, 0.1)
                .output(2, 0.1);
        Network network = Network.create(new io.richard.api.Shape(3, 1, 1), spec, 0, DataType.FLOAT);
        assertArrayEquals(reference(0, 1), values(network.layers().get(0).parameters().get(0).value()), TOL);
        // the dense layer has 2 inputs (conv output 2×1×1) → 2×2 matrix: values 0..3 of the matrix engine
        assertArrayEquals(reference(0, 1, 2, 3), values(network.layers().get(1).parameters().get(0).value()), TOL);
        // the output matrix (2×2) follows on the same engine with a new distribution: 4 values used, none spare
        assertArrayEquals(reference(4, 5, 6, 7), values(network.layers().get(2).parameters().get(0).value()), TOL);
        for (io.richard.api.Layer layer : network.layers()) {
            assertEquals(0.0, layer.parameters().get(1).value().amaxNumber().doubleValue(), 0.0, "biases start at 0");
        }
    }
}
