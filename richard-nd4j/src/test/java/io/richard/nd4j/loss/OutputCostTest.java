package io.richard.nd4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.richard.api.Activation;
import io.richard.api.Loss;
import io.richard.api.spec.OutputLayerSpec;
import io.richard.nd4j.activation.Activations;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An output layer's activation and cost as its description names them: which cost, whether back-propagation starts
 * from the cost's fused δ^L = a − y, and the activation the output layer is built with, checked on numbers worked
 * out here.
 */
class OutputCostTest {

    private static final double[][] A = {{0.2, 0.5, 0.3}, {0.6, 0.1, 0.3}};
    private static final double[][] Y = {{0, 1, 0}, {1, 0, 0}};
    private static final double[][] Z = {{-1.0, 0.5, 2.0}, {0.25, -0.75, 0}};

    /**
     * Fused exactly for the cross-entropy cost with either activation: then the output layer's δ^L is the a − y the
     * cost gives; with the quadratic cost it is (a − y) ⊙ σ'(z) = (a − y) a (1 − a), (14). The layer's activation
     * is still the description's function, by its name and on z.
     */
    @ParameterizedTest(name = "{0} + {1}")
    @CsvSource({"sigmoid, quadratic, false", "sigmoid, crossEntropy, true", "softmax, crossEntropy, true"})
    void backPropagationStartsFromTheCostsDeltaExactlyWhenFused(String activation, String cost, boolean fused) {
        OutputCost outputCost = OutputCost.of(new OutputLayerSpec(3, 0.1, activation, cost));
        assertSame(Activations.of(activation), outputCost.activation());
        assertEquals(fused, outputCost.fused());
        Loss expectedLoss = cost.equals("quadratic") ? QuadraticLoss.INSTANCE
                : activation.equals("softmax") ? CrossEntropyLoss.CATEGORICAL : CrossEntropyLoss.BINARY;
        assertSame(expectedLoss, outputCost.loss());

        Activation layer = outputCost.layerActivation();
        assertEquals(activation, layer.name());
        INDArray z = Nd4j.createFromArray(Z);
        INDArray expectedA = Activations.of(activation).applyInPlace(z.dup());
        assertEquals(expectedA, layer.applyInPlace(z));

        INDArray a = Nd4j.createFromArray(A);
        INDArray start = a.ulike();
        outputCost.outputGradient(a, Nd4j.createFromArray(Y), start);
        INDArray delta = layer.delta(start, a, a.ulike());
        for (int s = 0; s < A.length; s++) {
            for (int k = 0; k < A[s].length; k++) {
                double aMinusY = A[s][k] - Y[s][k];
                assertEquals(fused ? aMinusY : aMinusY * A[s][k] * (1 - A[s][k]), delta.getDouble(s, k), 1e-15,
                        "δ^L[" + s + "][" + k + "]");
            }
        }
    }

    /** Each form of the cross-entropy names the activation whose outputs it measures, the one it fuses with. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"softmax", "sigmoid"})
    void eachCrossEntropyNamesTheActivationItMeasures(String activation) {
        CrossEntropyLoss loss = activation.equals("softmax") ? CrossEntropyLoss.CATEGORICAL : CrossEntropyLoss.BINARY;
        assertEquals(activation, loss.activation());
        assertTrue(loss.fusesWith(Activations.of(loss.activation())));
        assertFalse(loss.fusesWith(Activations.of(activation.equals("softmax") ? "sigmoid" : "softmax")));
    }
}
