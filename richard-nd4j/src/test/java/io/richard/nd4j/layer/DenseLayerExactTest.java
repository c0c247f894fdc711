package io.richard.nd4j.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.richard.api.Mode;
import io.richard.api.Shape;
import io.richard.api.spec.DenseLayerSpec;
import io.richard.api.spec.OutputLayerSpec;
import io.richard.nd4j.loss.QuadraticLoss;
import io.richard.nd4j.activation.Sigmoid;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A dense layer of 2 neurons on 3 inputs, mini-batch of 2 samples, float64, with every expected number written
 * out by hand from the seed's equations: (4)/(5) forward, (8) δ, (9) ∇W summed over the mini-batch, (10) ∇b,
 * (13) ∇input; and the output layer with the quadratic cost (15)/(17) fed into (14).
 */
class DenseLayerExactTest {

    private static final double EPS = 1e-12;

    // W is (n_out, n_in) exactly as in (1): w[i][j] connects input j to neuron i.
    private static final double[][] W = {
        {0.1, -0.2, 0.3},
        {0.4, 0.5, -0.6}};
    private static final double[] B = {0.05, -0.1};
    // One sample per row (the mini-batch is the leading axis).
    private static final double[][] A_PREV = {
        {1.0, 2.0, 3.0},
        {-1.0, 0.5, 2.0}};

    // (1) z_i = Σ_j w_ij a_j + b_i, written out term by term.
    private static final double Z00 = 0.1 * 1.0 + (-0.2) * 2.0 + 0.3 * 3.0 + 0.05;     // = 0.65
    private static final double Z01 = 0.4 * 1.0 + 0.5 * 2.0 + (-0.6) * 3.0 + (-0.1);   // = -0.5
    private static final double Z10 = 0.1 * -1.0 + (-0.2) * 0.5 + 0.3 * 2.0 + 0.05;    // = 0.45
    private static final double Z11 = 0.4 * -1.0 + 0.5 * 0.5 + (-0.6) * 2.0 + (-0.1);  // = -1.45

    // (2), (3) a = σ(z) = 1 / (1 + e^{-z}).
    private static final double A00 = 1.0 / (1.0 + Math.exp(-Z00));
    private static final double A01 = 1.0 / (1.0 + Math.exp(-Z01));
    private static final double A10 = 1.0 / (1.0 + Math.exp(-Z10));
    private static final double A11 = 1.0 / (1.0 + Math.exp(-Z11));

    private static DenseLayer layer(boolean output) {
        Shape input = Shape.flat(3);
        INDArray w = Nd4j.createFromArray(W);
        INDArray b = Nd4j.createFromArray(new double[][] {B});
        return output
                ? new DenseLayer(new OutputLayerSpec(2, 0.1), input, Sigmoid.INSTANCE, w, b, 1)
                : new DenseLayer(new DenseLayerSpec(2, 0.1), input, Sigmoid.INSTANCE, w, b, 1);
    }

    private static INDArray aPrev() {
        return Nd4j.createFromArray(A_PREV);
    }

    @Test
    void handValuesAreWhatTheyShouldBe() {
        // Guard against a typo in the arithmetic above.
        assertEquals(0.65, Z00, 1e-15);
        assertEquals(-0.5, Z01, 1e-15);
        assertEquals(0.45, Z10, 1e-15);
        assertEquals(-1.45, Z11, 1e-15);
    }

    @Test
    void forwardIsSigmoidOfWeightedSum() {
        DenseLayer layer = layer(false);
        INDArray a = layer.forward(aPrev(), Mode.TRAINING);
        assertEquals(DataType.DOUBLE, a.dataType());
        assertArrayEquals(new long[] {2, 2}, a.shape());
        assertEquals(A00, a.getDouble(0, 0), EPS);
        assertEquals(A01, a.getDouble(0, 1), EPS);
        assertEquals(A10, a.getDouble(1, 0), EPS);
        assertEquals(A11, a.getDouble(1, 1), EPS);
        // Inference computes the same function (no dropout configured).
        INDArray inference = layer.forward(aPrev(), Mode.INFERENCE);
        assertEquals(0.0, inference.sub(a).amaxNumber().doubleValue(), EPS);
    }

    /**
     * {@code weights()} and {@code biases()} are the W (n_out, n_in) and b (1, n_out) forward computes with, not
     * copies: as given, and a change to them is a change of z by hand; {@code activation()} is the σ of (5).
     */
    @Test
    void weightsBiasesAndActivationAreTheOnesForwardUses() {
        DenseLayer layer = layer(false);
        assertMatrix(W, layer.weights(), "W");
        assertMatrix(new double[][] {B}, layer.biases(), "b");
        assertSame(Sigmoid.INSTANCE, layer.activation());
        layer.weights().putScalar(0, 2, 0.8);        // w_02: 0.3 → 0.8, z_0 of each sample + 0.5 a_2
        layer.biases().putScalar(0, 1, 0.4);         // b_1: −0.1 → 0.4, z_1 of each sample + 0.5
        for (int pass = 0; pass < 2; pass++) {
            INDArray a = layer.forward(aPrev(), pass == 0 ? Mode.INFERENCE : Mode.TRAINING);
            assertEquals(1 / (1 + Math.exp(-(Z00 + 0.5 * 3.0))), a.getDouble(0, 0), EPS);
            assertEquals(1 / (1 + Math.exp(-(Z01 + 0.5))), a.getDouble(0, 1), EPS);
            assertEquals(1 / (1 + Math.exp(-(Z10 + 0.5 * 2.0))), a.getDouble(1, 0), EPS);
            assertEquals(1 / (1 + Math.exp(-(Z11 + 0.5))), a.getDouble(1, 1), EPS);
        }
    }

    @Test
    void backwardGivesDeltaSummedParameterGradientsAndInputGradient() {
        DenseLayer layer = layer(false);
        layer.forward(aPrev(), Mode.TRAINING);
        double[][] g = {{0.3, -0.7}, {1.2, 0.4}};   // ∂C/∂a, as if back-propagated from layer l+1
        INDArray gradInput = layer.backward(Nd4j.createFromArray(g), true);

        // (8) δ = ∇a C ⊙ σ'(z), σ'(z) = a(1 − a)
        double d00 = 0.3 * A00 * (1 - A00);
        double d01 = -0.7 * A01 * (1 - A01);
        double d10 = 1.2 * A10 * (1 - A10);
        double d11 = 0.4 * A11 * (1 - A11);

        // (9) ∂C/∂w_ij = δ_i a_j, SUMMED over the two samples (not averaged)
        double[][] expectedGradW = {
            {d00 * 1.0 + d10 * -1.0, d00 * 2.0 + d10 * 0.5, d00 * 3.0 + d10 * 2.0},
            {d01 * 1.0 + d11 * -1.0, d01 * 2.0 + d11 * 0.5, d01 * 3.0 + d11 * 2.0}};
        // (10) ∂C/∂b_i = δ_i, summed over the samples
        double[] expectedGradB = {d00 + d10, d01 + d11};
        // (13) ∂C/∂a_j = Σ_i δ_i w_ij, per sample
        double[][] expectedGradInput = {
            {d00 * 0.1 + d01 * 0.4, d00 * -0.2 + d01 * 0.5, d00 * 0.3 + d01 * -0.6},
            {d10 * 0.1 + d11 * 0.4, d10 * -0.2 + d11 * 0.5, d10 * 0.3 + d11 * -0.6}};

        assertMatrix(expectedGradW, layer.parameters().get(0).gradient(), "∇W");
        assertEquals("W", layer.parameters().get(0).name());
        assertEquals("b", layer.parameters().get(1).name());
        INDArray gradB = layer.parameters().get(1).gradient();
        assertEquals(2, gradB.length());
        assertEquals(expectedGradB[0], gradB.getDouble(0), EPS);
        assertEquals(expectedGradB[1], gradB.getDouble(1), EPS);
        assertMatrix(expectedGradInput, gradInput, "∇input");
    }

    @Test
    void gradientsAreOverwrittenByEachBackwardNotAccumulated() {
        // The layer writes the mini-batch's gradient; the trainer applies it once. A second identical pass must
        // give the same gradient, not twice it.
        DenseLayer layer = layer(false);
        double[][] g = {{0.3, -0.7}, {1.2, 0.4}};
        layer.forward(aPrev(), Mode.TRAINING);
        layer.backward(Nd4j.createFromArray(g), true);
        INDArray first = layer.parameters().get(0).gradient().dup();
        layer.forward(aPrev(), Mode.TRAINING);
        layer.backward(Nd4j.createFromArray(g), false);
        assertEquals(0.0, layer.parameters().get(0).gradient().sub(first).amaxNumber().doubleValue(), EPS);
    }

    @Test
    void backwardWithoutInputGradientReturnsNullButStillWritesParameterGradients() {
        DenseLayer layer = layer(false);
        layer.forward(aPrev(), Mode.TRAINING);
        assertNull(layer.backward(Nd4j.createFromArray(new double[][] {{1, 0}, {0, 0}}), false));
        // only sample 0, neuron 0: δ = 1 · a00(1 − a00); ∇b_0 = δ, ∇b_1 = 0
        assertEquals(A00 * (1 - A00), layer.parameters().get(1).gradient().getDouble(0), EPS);
        assertEquals(0.0, layer.parameters().get(1).gradient().getDouble(1), EPS);
    }

    @Test
    void outputLayerWithQuadraticLoss() {
        DenseLayer layer = layer(true);
        INDArray a = layer.forward(aPrev(), Mode.TRAINING);
        // one-hot targets: sample 0 is class 1, sample 1 is class 0
        INDArray y = Nd4j.createFromArray(new double[][] {{0, 1}, {1, 0}});

        // (15) C = ½ ‖y − a‖² per sample
        INDArray cost = QuadraticLoss.INSTANCE.cost(a, y);
        assertEquals(2, cost.length());
        assertEquals(0.5 * ((0 - A00) * (0 - A00) + (1 - A01) * (1 - A01)), cost.getDouble(0), EPS);
        assertEquals(0.5 * ((1 - A10) * (1 - A10) + (0 - A11) * (0 - A11)), cost.getDouble(1), EPS);

        // (17) ∇a C = a − y
        INDArray grad = QuadraticLoss.INSTANCE.gradient(a, y);
        assertMatrix(new double[][] {{A00 - 0, A01 - 1}, {A10 - 1, A11 - 0}}, grad, "∇a C");
        // the same two as training computes them: ∇a C written into an array, the cost summed over the batch
        INDArray gradIntoArray = Nd4j.create(DataType.DOUBLE, 2, 2);
        double total = QuadraticLoss.INSTANCE.gradientAndCost(a, y, gradIntoArray);
        assertMatrix(new double[][] {{A00 - 0, A01 - 1}, {A10 - 1, A11 - 0}}, gradIntoArray, "∇a C as trained");
        assertEquals(0.5 * (A00 * A00 + (1 - A01) * (1 - A01) + (1 - A10) * (1 - A10) + A11 * A11), total, EPS);

        // (14) δ^L = (a − y) ⊙ σ'(z); then (9), (10) as for any dense layer
        layer.backward(grad, true);
        double d00 = (A00 - 0) * A00 * (1 - A00);
        double d01 = (A01 - 1) * A01 * (1 - A01);
        double d10 = (A10 - 1) * A10 * (1 - A10);
        double d11 = (A11 - 0) * A11 * (1 - A11);
        assertMatrix(new double[][] {
            {d00 * 1.0 + d10 * -1.0, d00 * 2.0 + d10 * 0.5, d00 * 3.0 + d10 * 2.0},
            {d01 * 1.0 + d11 * -1.0, d01 * 2.0 + d11 * 0.5, d01 * 3.0 + d11 * 2.0}},
                layer.parameters().get(0).gradient(), "output ∇W");
        assertEquals(d00 + d10, layer.parameters().get(1).gradient().getDouble(0), EPS);
        assertEquals(d01 + d11, layer.parameters().get(1).gradient().getDouble(1), EPS);
    }

    static void assertMatrix(double[][] expected, INDArray actual, String what) {
        assertArrayEquals(new long[] {expected.length, expected[0].length}, actual.shape(), what + " shape");
        for (int r = 0; r < expected.length; r++) {
            for (int c = 0; c < expected[r].length; c++) {
                assertEquals(expected[r][c], actual.getDouble(r, c), EPS, what + "[" + r + "][" + c + "]");
            }
        }
    }
}
