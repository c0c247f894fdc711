package io.richard.nd4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The quadratic cost as training and evaluation compute it ({@code gradientAndCost}: ∇a C into a given array and the
 * summed cost), and {@code totalCost}, against (15) and (17) computed in plain Java, in both precisions.
 */
class QuadraticLossTest {

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void gradientAndCostAreAMinusYAndHalfTheSquaredNormSummedOverTheBatch(DataType type) {
        Random random = new Random(21);
        int n = 7;
        int classes = 5;
        double[][] a = new double[n][classes];
        double[][] y = new double[n][classes];
        double expectedCost = 0;
        for (int s = 0; s < n; s++) {
            y[s][random.nextInt(classes)] = 1;
            for (int i = 0; i < classes; i++) {
                a[s][i] = random.nextDouble();
                if (type == DataType.FLOAT) {
                    a[s][i] = (float) a[s][i];
                }
                expectedCost += 0.5 * (y[s][i] - a[s][i]) * (y[s][i] - a[s][i]);     // (15), summed over samples
            }
        }
        INDArray aArray = Nd4j.createFromArray(a).castTo(type);
        INDArray yArray = Nd4j.createFromArray(y).castTo(type);
        INDArray out = Nd4j.create(type, n, classes);
        double tolerance = type == DataType.DOUBLE ? 1e-13 : 1e-5;

        double cost = QuadraticLoss.INSTANCE.gradientAndCost(aArray, yArray, out);
        assertEquals(expectedCost, cost, tolerance * expectedCost);
        assertEquals(expectedCost, QuadraticLoss.INSTANCE.totalCost(aArray, yArray), tolerance * expectedCost);
        for (int s = 0; s < n; s++) {
            double perSample = 0;
            for (int i = 0; i < classes; i++) {
                assertEquals(a[s][i] - y[s][i], out.getDouble(s, i), type == DataType.DOUBLE ? 1e-15 : 1e-7,
                        "∇a C [" + s + "][" + i + "]");                                  // (17)
                perSample += 0.5 * (y[s][i] - a[s][i]) * (y[s][i] - a[s][i]);
            }
            assertEquals(perSample, QuadraticLoss.INSTANCE.cost(aArray, yArray).getDouble(s), tolerance);
        }
        // the inputs are left as they were
        assertEquals(Nd4j.createFromArray(a).castTo(type), aArray);
        assertEquals(Nd4j.createFromArray(y).castTo(type), yArray);
        assertEquals("quadratic", QuadraticLoss.INSTANCE.name());
    }
}
