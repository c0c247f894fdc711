package io.richard.nd4j.activation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.richard.api.Activation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The activations and their derivatives, and the fused deltas the layers call in training against δ = ∇a C ⊙ f'(z)
 * computed here in plain Java, in both precisions.
 */
class ActivationTest {

    private static final INDArray Z = Nd4j.createFromArray(new double[][] {{-2, -0.5, 0}, {0.5, 1, 3}});
    private static final INDArray GRAD = Nd4j.createFromArray(new double[][] {{1, -2, 3}, {-4, 5, 0.5}});

    @Test
    void sigmoidDerivativeIsAOneMinusA() {
        INDArray a = Sigmoid.INSTANCE.applyInPlace(Z.dup());
        for (int i = 0; i < 6; i++) {
            double s = 1 / (1 + Math.exp(-Z.getDouble(i)));                        // (3)
            assertEquals(s, a.getDouble(i), 1e-15);
            assertEquals(s * (1 - s), Sigmoid.INSTANCE.derivative(a).getDouble(i), 1e-15);
        }
        assertFusedDeltaMatches(Sigmoid.INSTANCE, a);
    }

    @Test
    void reluDerivativeIsZeroAtZeroAsInTheSeed() {
        INDArray a = Relu.INSTANCE.applyInPlace(Z.dup());
        double[] expected = {0, 0, 0, 1, 1, 1};                                      // (26): R'(0) = 0
        for (int i = 0; i < 6; i++) {
            assertEquals(Math.max(0, Z.getDouble(i)), a.getDouble(i), 0);          // (23)
            assertEquals(expected[i], Relu.INSTANCE.derivative(a).getDouble(i), 0);
        }
        assertFusedDeltaMatches(Relu.INSTANCE, a);
    }

    private static void assertFusedDeltaMatches(Activation f, INDArray a) {
        INDArray expected = f.derivative(a).mul(GRAD);                               // (8) δ = ∇a C ⊙ f'(z)
        INDArray delta = f.delta(GRAD, a, Nd4j.create(DataType.DOUBLE, 2, 3));
        assertTrue(expected.equalsWithEps(delta, 1e-15), delta.toString());
    }

    /** z values with exact zeros, both signs and saturation, as the layers meet them. */
    private static final double[] ZS = {-7, -2, -0.5, -1e-9, 0, 0, 1e-9, 0.25, 0.5, 1, 3, 12};
    private static final double[] GS = {0.5, 1, -2, 3, -4, 5, 0.5, -0.75, 2, -1, 0.125, 6};

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void sigmoidDeltaIsTheGradientTimesAOneMinusA(DataType type) {
        INDArray a = Sigmoid.INSTANCE.applyInPlace(Nd4j.createFromArray(ZS).castTo(type).reshape(3, 4));
        INDArray g = Nd4j.createFromArray(GS).castTo(type).reshape(3, 4);
        INDArray delta = Sigmoid.INSTANCE.delta(g, a, Nd4j.create(type, 3, 4));
        double tolerance = type == DataType.DOUBLE ? 1e-15 : 1e-6;
        for (int i = 0; i < ZS.length; i++) {
            double s = 1 / (1 + Math.exp(-ZS[i]));                                       // (3)
            assertEquals(s, a.getDouble(i), tolerance, "σ(" + ZS[i] + ")");
            assertEquals(GS[i] * s * (1 - s), delta.getDouble(i), tolerance, "δ at z = " + ZS[i]);   // (8)
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void reluDeltaPassesTheGradientWhereZIsPositiveOnly(DataType type) {
        INDArray a = Relu.INSTANCE.applyInPlace(Nd4j.createFromArray(ZS).castTo(type).reshape(3, 4));
        INDArray g = Nd4j.createFromArray(GS).castTo(type).reshape(3, 4);
        INDArray delta = Relu.INSTANCE.delta(g, a, Nd4j.create(type, 3, 4));
        for (int i = 0; i < ZS.length; i++) {
            double z = type == DataType.FLOAT ? (float) ZS[i] : ZS[i];
            assertEquals(Math.max(0, z), a.getDouble(i), 0, "R(" + ZS[i] + ")");          // (23)
            assertEquals(z > 0 ? GS[i] : 0, delta.getDouble(i), 0, "δ at z = " + ZS[i]);   // (26), R'(0) = 0
        }
    }

    @Test
    void deltaWritesIntoTheGivenArrayAndLeavesItsInputs() {
        INDArray a = Sigmoid.INSTANCE.applyInPlace(Z.dup());
        INDArray aBefore = a.dup();
        INDArray gradBefore = GRAD.dup();
        INDArray out = Nd4j.create(DataType.DOUBLE, 2, 3);
        INDArray delta = Sigmoid.INSTANCE.delta(GRAD, a, out);
        assertTrue(delta == out, "δ is written into out");
        assertEquals(aBefore, a);
        assertEquals(gradBefore, GRAD);
        INDArray r = Relu.INSTANCE.applyInPlace(Z.dup());
        INDArray reluOut = Nd4j.create(DataType.DOUBLE, 2, 3);
        assertTrue(Relu.INSTANCE.delta(GRAD, r, reluOut) == reluOut);
        assertEquals(Relu.INSTANCE.applyInPlace(Z.dup()), r);
        assertEquals("sigmoid", Sigmoid.INSTANCE.name());
        assertEquals("relu", Relu.INSTANCE.name());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void softmaxIsEToTheZOverItsRowSumAndNeverOverflows(DataType type) {
        double[][] z = {{-2, -0.5, 0, 1}, {0.5, 1, 3, 3}, {1000, 999, -1000, 0}, {-800, -801, -802, -803}};
        INDArray a = Softmax.INSTANCE.applyInPlace(Nd4j.createFromArray(z).castTo(type));
        for (int n = 0; n < z.length; n++) {
            double max = Double.NEGATIVE_INFINITY;
            for (double v : z[n]) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (double v : z[n]) {
                sum += Math.exp(v - max);
            }
            double total = 0;
            for (int k = 0; k < z[n].length; k++) {
                double expected = Math.exp(z[n][k] - max) / sum;                     // e^{z_k} / Σ_j e^{z_j}
                assertEquals(expected, a.getDouble(n, k), type == DataType.DOUBLE ? 1e-15 : 1e-7, "a[" + n + "][" + k
                        + "]");
                total += a.getDouble(n, k);
            }
            assertEquals(1, total, 1e-6, "each row sums to 1");
        }
        assertEquals("softmax", Softmax.INSTANCE.name());
        assertEquals(Softmax.INSTANCE, Activations.of("softmax"));
    }

    /** The softmax's delta is the Jacobian product, δ_i = Σ_j ∇a_j C · a_j (δ_ij − a_i), written out here. */
    @Test
    void softmaxDeltaIsTheJacobianProduct() {
        INDArray a = Softmax.INSTANCE.applyInPlace(Z.dup());
        INDArray aBefore = a.dup();
        INDArray gradBefore = GRAD.dup();
        INDArray delta = Softmax.INSTANCE.delta(GRAD, a, Nd4j.create(DataType.DOUBLE, 2, 3));
        for (int n = 0; n < 2; n++) {
            for (int i = 0; i < 3; i++) {
                double expected = 0;
                for (int j = 0; j < 3; j++) {
                    expected += GRAD.getDouble(n, j) * a.getDouble(n, j) * ((i == j ? 1 : 0) - a.getDouble(n, i));
                }
                assertEquals(expected, delta.getDouble(n, i), 1e-15);
            }
        }
        assertEquals(gradBefore, GRAD, "the gradient is left as it was");
        assertEquals(aBefore, a, "and the activations");
    }
}
