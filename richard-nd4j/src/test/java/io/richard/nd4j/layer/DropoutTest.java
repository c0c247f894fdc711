package io.richard.nd4j.layer;

import io.richard.nd4j.kernel.Layouts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import io.richard.api.Layer;
import io.richard.api.Mode;
import io.richard.api.Shape;
import io.richard.api.spec.ConvolutionalLayerSpec;
import io.richard.api.spec.DenseLayerSpec;
import io.richard.api.spec.Size2D;
import io.richard.nd4j.activation.Sigmoid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Inverted dropout (README, "Dropout"): in training each activation is kept with probability 1 − p and scaled by
 * 1/(1 − p); the same mask gates the gradient; inference uses no mask and no scaling. The expectations are computed
 * here in plain Java from (1)–(13), or from the same layer without dropout fed the masked gradient. Counts are
 * statistical with fixed seeds: bounds of 4.5 standard deviations of a binomial count.
 */
class DropoutTest {

    private static final int N = 50;
    private static final int IN = 6;
    private static final int OUT = 400;            // N·OUT = 20,000 units per mask

    private static double[][] gaussian(Random random, int rows, int columns, double scale) {
        double[][] m = new double[rows][columns];
        for (double[] row : m) {
            for (int j = 0; j < columns; j++) {
                row[j] = random.nextGaussian() * scale;
            }
        }
        return m;
    }

    private static DenseLayer dense(double rate, double[][] w, double[] b, long seed) {
        return new DenseLayer(new DenseLayerSpec(w.length, 0.1, 1.0, rate), Shape.flat(w[0].length), Sigmoid.INSTANCE,
                Nd4j.createFromArray(w), Nd4j.createFromArray(new double[][] {b}), seed);
    }

    /** σ(x·Wᵀ + b) from (1)–(3), in plain Java. */
    private static double[][] sigmoidLayer(double[][] x, double[][] w, double[] b) {
        double[][] a = new double[x.length][w.length];
        for (int n = 0; n < x.length; n++) {
            for (int i = 0; i < w.length; i++) {
                double z = b[i];
                for (int j = 0; j < x[n].length; j++) {
                    z += w[i][j] * x[n][j];
                }
                a[n][i] = 1 / (1 + Math.exp(-z));
            }
        }
        return a;
    }

    @ParameterizedTest(name = "p = {0}")
    @ValueSource(doubles = {0.2, 0.5, 0.7})
    void denseKeepsEachActivationWithProbabilityOneMinusPScaledByItsInverse(double p) {
        Random random = new Random(3);
        double[][] x = gaussian(random, N, IN, 1);
        double[][] w = gaussian(random, OUT, IN, 0.5);
        double[] b = gaussian(random, 1, OUT, 0.5)[0];
        DenseLayer layer = dense(p, w, b, 11);
        double[][] expected = sigmoidLayer(x, w, b);

        INDArray trained = layer.forward(Nd4j.createFromArray(x), Mode.TRAINING);
        long kept = 0;
        for (int n = 0; n < N; n++) {
            for (int i = 0; i < OUT; i++) {
                double value = trained.getDouble(n, i);
                if (value != 0) {                                     // σ > 0: only a dropped unit gives 0
                    kept++;
                    assertEquals(expected[n][i] / (1 - p), value, 1e-12, "a kept unit is scaled by 1/(1 − p)");
                }
            }
        }
        assertBinomial(kept, (long) N * OUT, 1 - p, "units kept");
    }

    @Test
    void denseGradientIsGatedByTheMaskOfItsForwardPass() {
        double p = 0.4;
        Random random = new Random(5);
        double[][] x = gaussian(random, 8, IN, 1);
        double[][] w = gaussian(random, 30, IN, 0.7);
        double[] b = gaussian(random, 1, 30, 0.5)[0];
        double[][] g = gaussian(random, 8, 30, 1);
        DenseLayer layer = dense(p, w, b, 17);
        double[][] a = sigmoidLayer(x, w, b);

        for (int batch = 0; batch < 3; batch++) {                     // a new mask every mini-batch
            INDArray trained = layer.forward(Nd4j.createFromArray(x), Mode.training(0, batch));
            INDArray gradInput = layer.backward(Nd4j.createFromArray(g), true);
            // the mask read off the forward output: 0 or 1/(1 − p)
            double[][] delta = new double[8][30];
            int dropped = 0;
            for (int n = 0; n < 8; n++) {
                for (int i = 0; i < 30; i++) {
                    double mask = trained.getDouble(n, i) / a[n][i];
                    dropped += mask == 0 ? 1 : 0;
                    // (8) with the gradient gated: δ = (∇a C ⊙ mask) ⊙ σ'(z)
                    delta[n][i] = g[n][i] * mask * a[n][i] * (1 - a[n][i]);
                }
            }
            assertTrue(dropped > 0 && dropped < 8 * 30, "some units dropped, some kept: " + dropped);
            INDArray gradW = layer.parameters().get(0).gradient();
            INDArray gradB = layer.parameters().get(1).gradient();
            for (int i = 0; i < 30; i++) {
                double sumB = 0;
                for (int n = 0; n < 8; n++) {
                    sumB += delta[n][i];                                                          // (10)
                }
                assertEquals(sumB, gradB.getDouble(0, i), 1e-12, "∂C/∂b " + i);
                for (int j = 0; j < IN; j++) {
                    double sumW = 0;
                    for (int n = 0; n < 8; n++) {
                        sumW += delta[n][i] * x[n][j];                                            // (9)
                    }
                    assertEquals(sumW, gradW.getDouble(i, j), 1e-12, "∂C/∂W " + i + "," + j);
                }
            }
            for (int n = 0; n < 8; n++) {
                for (int j = 0; j < IN; j++) {
                    double sum = 0;
                    for (int i = 0; i < 30; i++) {
                        sum += w[i][j] * delta[n][i];                                             // (13)
                    }
                    assertEquals(sum, gradInput.getDouble(n, j), 1e-12, "∂C/∂a^{l-1} " + n + "," + j);
                }
            }
        }
    }

    @Test
    void inferenceUsesNoMaskAndNoScaling() {
        Random random = new Random(7);
        double[][] x = gaussian(random, 10, IN, 1);
        double[][] w = gaussian(random, 40, IN, 0.5);
        double[] b = gaussian(random, 1, 40, 0.5)[0];
        DenseLayer layer = dense(0.5, w, b, 23);
        double[][] expected = sigmoidLayer(x, w, b);
        for (int round = 0; round < 2; round++) {
            INDArray trained = layer.forward(Nd4j.createFromArray(x), Mode.TRAINING);
            assertTrue(trained.eq(0).castTo(DataType.INT32).sumNumber().intValue() > 0, "training drops units");
            INDArray inferred = layer.forward(Nd4j.createFromArray(x), Mode.INFERENCE);
            for (int n = 0; n < 10; n++) {
                for (int i = 0; i < 40; i++) {
                    assertEquals(expected[n][i], inferred.getDouble(n, i), 1e-12, "inference a " + n + "," + i);
                }
            }
        }
    }

    @Test
    void masksDependOnTheSeedAndThePositionOnly() {
        Random random = new Random(9);
        double[][] x = gaussian(random, 4, IN, 1);
        double[][] w = gaussian(random, 50, IN, 0.5);
        double[] b = new double[50];
        INDArray input = Nd4j.createFromArray(x);
        DenseLayer first = dense(0.5, w, b, 31);
        DenseLayer second = dense(0.5, w, b, 31);
        DenseLayer otherSeed = dense(0.5, w, b, 32);

        INDArray epoch2batch0 = first.forward(input, Mode.training(2, 0)).dup();
        INDArray epoch2batch1 = first.forward(input, Mode.training(2, 1)).dup();
        INDArray epoch3batch0 = first.forward(input, Mode.training(3, 0)).dup();
        assertEquals(epoch2batch0, first.forward(input, Mode.training(2, 0)), "the same step draws the same mask again");
        assertEquals(epoch2batch0, second.forward(input, Mode.training(2, 0)), "another layer with the same seed, too");
        assertFalse(epoch2batch0.equals(otherSeed.forward(input, Mode.training(2, 0))), "another seed, another mask");
        assertFalse(epoch2batch0.equals(epoch2batch1), "the next mini-batch, another mask");
        assertFalse(epoch2batch0.equals(epoch3batch0), "the next epoch, another mask");

        // outside a training run, each training pass draws a new mask, from the layer's seed and its count of masks
        DenseLayer counted = dense(0.5, w, b, 31);
        DenseLayer countedAgain = dense(0.5, w, b, 31);
        INDArray draw0 = counted.forward(input, Mode.TRAINING).dup();
        INDArray draw1 = counted.forward(input, Mode.TRAINING).dup();
        assertFalse(draw0.equals(draw1), "successive masks differ");
        assertEquals(draw0, countedAgain.forward(input, Mode.TRAINING));
        assertEquals(draw1, countedAgain.forward(input, Mode.TRAINING));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Convolutional layers: the same rules on (H', N, W', D) outputs

    private static ConvolutionalLayer conv(double rate, INDArray w, INDArray b, Shape input, long seed) {
        ConvolutionalLayerSpec spec = new ConvolutionalLayerSpec((int) w.size(0), new Size2D((int) w.size(3),
                (int) w.size(2)), 0.1, 1.0, rate);
        return new ConvolutionalLayer(spec, input, w.dup(), b.dup(), seed);
    }

    @ParameterizedTest(name = "C = {0}")
    @ValueSource(ints = {1, 8, 32})                                // (28) by offset, by kernel row, by output row
    void convolutionKeepsScalesAndGatesTheGradientWithOneMask(int channels) {
        double p = 0.3;
        Shape input = new Shape(7, 6, channels);
        Nd4j.getRandom().setSeed(41 + channels);
        INDArray w = Nd4j.randn(DataType.DOUBLE, 6, channels, 3, 2).muli(0.5);
        INDArray b = Nd4j.randn(DataType.DOUBLE, 1, 6).muli(0.2).addi(0.5);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 40, input.size());
        ConvolutionalLayer dropping = conv(p, w, b, input, 5);
        ConvolutionalLayer plain = conv(0, w, b, input, 5);
        Shape outputShape = plain.outputShape();
        INDArray g = Nd4j.randn(DataType.DOUBLE, Layouts.spatialShape(40, outputShape));

        INDArray trained = dropping.forward(x, Mode.TRAINING).dup();
        INDArray inferred = dropping.forward(x, Mode.INFERENCE).dup();
        INDArray a = plain.forward(x, Mode.TRAINING);
        assertTrue(a.equalsWithEps(inferred, 1e-12), "inference: no mask, no scaling");
        INDArray mask = Nd4j.zeros(DataType.DOUBLE, trained.shape());
        long positive = 0;
        long kept = 0;
        for (long i = 0; i < trained.length(); i++) {
            double value = trained.getDouble(i);
            double active = a.getDouble(i);
            if (active > 0) {                                        // R(z) = 0 shows no mask
                positive++;
                if (value != 0) {
                    kept++;
                    assertEquals(active / (1 - p), value, 1e-12, "a kept unit is scaled by 1/(1 − p)");
                    mask.putScalar(i, 1 / (1 - p));
                }
            } else {
                assertEquals(0, value, 0);
            }
        }
        assertBinomial(kept, positive, 1 - p, "positive units kept");

        // the gradient through the dropping layer is the plain layer's gradient of the masked ∂C/∂a
        INDArray gradInput = dropping.backward(g, true).dup();
        INDArray expectedInput = plain.backward(g.mul(mask), true);
        assertTrue(expectedInput.equalsWithEps(gradInput, 1e-10), "∂C/∂a^{l-1} gated by the mask");
        for (int k = 0; k < 2; k++) {
            INDArray expected = plain.parameters().get(k).gradient();
            INDArray actual = dropping.parameters().get(k).gradient();
            assertTrue(expected.equalsWithEps(actual, 1e-10), plain.parameters().get(k).name() + " gradient gated");
        }
    }

    private static void assertBinomial(long count, long trials, double probability, String what) {
        double mean = trials * probability;
        double sd = Math.sqrt(trials * probability * (1 - probability));
        assertTrue(Math.abs(count - mean) <= 4.5 * sd, String.format("%s: %d of %d, expected %.0f ± %.0f", what, count,
                trials, mean, 4.5 * sd));
    }

    /** Without dropout, training passes the activations through untouched. */
    @Test
    void aLayerWithoutDropoutIsUnchangedInTraining() {
        Random random = new Random(13);
        double[][] x = gaussian(random, 5, IN, 1);
        double[][] w = gaussian(random, 12, IN, 0.5);
        double[] b = gaussian(random, 1, 12, 0.5)[0];
        Layer layer = dense(0.0, w, b, 1);
        double[][] expected = sigmoidLayer(x, w, b);
        INDArray trained = layer.forward(Nd4j.createFromArray(x), Mode.TRAINING);
        for (int n = 0; n < 5; n++) {
            for (int i = 0; i < 12; i++) {
                assertEquals(expected[n][i], trained.getDouble(n, i), 1e-12);
            }
        }
    }
}
