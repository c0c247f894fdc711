package io.richard.nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.richard.api.Activation;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The activations' derivatives, and their fused deltas agreeing with derivative ⊙ gradient. */
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
}
