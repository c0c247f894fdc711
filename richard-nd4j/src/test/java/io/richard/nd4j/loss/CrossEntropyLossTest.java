package io.richard.nd4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import io.richard.api.Loss;
import io.richard.nd4j.GradientCheck;
import io.richard.nd4j.activation.Relu;
import io.richard.nd4j.activation.Sigmoid;
import io.richard.nd4j.activation.Softmax;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The cross-entropy cost in its two forms: the cost by hand, ∇a C against finite differences of the cost (float64),
 * the fused δ^L = a − y, and a cost that stays finite for outputs rounded to 0 or 1.
 */
class CrossEntropyLossTest {

    /** Outputs of 3 samples of 4 classes (softmax-like rows) and one-hot targets. */
    private static final double[][] A = {{0.1, 0.6, 0.2, 0.1}, {0.25, 0.25, 0.25, 0.25}, {0.7, 0.1, 0.1, 0.1}};
    private static final double[][] Y = {{0, 1, 0, 0}, {0, 0, 0, 1}, {0, 0, 1, 0}};

    @Test
    void theCostsByHand() {
        INDArray a = Nd4j.createFromArray(A);
        INDArray y = Nd4j.createFromArray(Y);
        // categorical: −ln a of the true class
        double categorical = -Math.log(0.6) - Math.log(0.25) - Math.log(0.1);
        assertEquals(categorical, CrossEntropyLoss.CATEGORICAL.totalCost(a, y), 1e-14);
        assertEquals(-Math.log(0.25), CrossEntropyLoss.CATEGORICAL.cost(a, y).getDouble(1), 1e-15);
        // binary: −ln a of the true class − Σ ln(1 − a) of the others
        double first = -Math.log(0.6) - Math.log(0.9) - Math.log(0.8) - Math.log(0.9);
        assertEquals(first, CrossEntropyLoss.BINARY.cost(a, y).getDouble(0), 1e-14);
        double binary = first - Math.log(0.25) - 3 * Math.log(0.75) - Math.log(0.1) - Math.log(0.3)
                - 2 * Math.log(0.9);
        assertEquals(binary, CrossEntropyLoss.BINARY.totalCost(a, y), 1e-14);
        assertEquals("crossEntropy", CrossEntropyLoss.BINARY.name());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Form.class)
    void theGradientIsTheCostsDerivative(Form form) {
        Random random = new Random(3);
        double[][] values = new double[5][4];
        double[][] targets = new double[5][4];
        for (int n = 0; n < 5; n++) {
            for (int k = 0; k < 4; k++) {
                values[n][k] = 0.05 + 0.9 * random.nextDouble();
            }
            targets[n][random.nextInt(4)] = 1;
        }
        INDArray a = Nd4j.createFromArray(values);
        INDArray y = Nd4j.createFromArray(targets);
        GradientCheck.compare("∇a C", form.loss.gradient(a, y), a, () -> form.loss.totalCost(a, y));
        INDArray out = a.ulike();
        assertEquals(form.loss.totalCost(a, y), form.loss.gradientAndCost(a, y, out), 1e-12);
        assertEquals(form.loss.gradient(a, y), out);
    }

    /** δ^L = a − y, whatever the outputs, with the summed cost. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Form.class)
    void theFusedDeltaIsAMinusY(Form form) {
        INDArray a = Nd4j.createFromArray(A);
        INDArray y = Nd4j.createFromArray(Y);
        INDArray out = Nd4j.create(DataType.DOUBLE, 3, 4);
        assertEquals(form.loss.totalCost(a, y), form.loss.deltaAndCost(a, y, out), 1e-14);
        assertEquals(a.sub(y), out);
        assertTrue(form.loss.fusesWith(form.activation));
        assertFalse(form.loss.fusesWith(Relu.INSTANCE));
        assertFalse(QuadraticLoss.INSTANCE.fusesWith(form.activation), "the seed's cost goes through (14)");
    }

    /** Outputs that rounded to exactly 0 or 1 cost at most −ln(smallest normal) each, and δ^L stays a − y. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void outputsRoundedTo0Or1GiveAFiniteCost(DataType type) {
        INDArray a = Nd4j.createFromArray(new double[][] {{0, 1, 0}, {1, 0, 0}}).castTo(type);
        INDArray y = Nd4j.createFromArray(new double[][] {{1, 0, 0}, {1, 0, 0}}).castTo(type);
        double worst = -Math.log(type == DataType.FLOAT ? Float.MIN_NORMAL : Double.MIN_NORMAL);
        INDArray out = a.ulike();
        assertEquals(worst, CrossEntropyLoss.CATEGORICAL.deltaAndCost(a, y, out), 1e-4 * worst);
        assertEquals(a.sub(y), out);
        // binary: sample 0 has a = 0 for its class and a = 1 for another; sample 1 is right on every output
        assertEquals(2 * worst, CrossEntropyLoss.BINARY.deltaAndCost(a, y, out), 1e-4 * worst);
        assertEquals(a.sub(y), out);
    }

    enum Form {
        CATEGORICAL(CrossEntropyLoss.CATEGORICAL, Softmax.INSTANCE),
        BINARY(CrossEntropyLoss.BINARY, Sigmoid.INSTANCE);

        final Loss loss;
        final io.richard.api.Activation activation;

        Form(Loss loss, io.richard.api.Activation activation) {
            this.loss = loss;
            this.activation = activation;
        }
    }
}
