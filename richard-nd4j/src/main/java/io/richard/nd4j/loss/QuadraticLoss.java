package io.richard.nd4j.loss;

import io.richard.api.Loss;
import io.richard.nd4j.kernel.Blas;
import io.richard.nd4j.kernel.Elementwise;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The quadratic cost of the output layer: C = ½‖y − a‖² per sample (15), ∇a C = a − y (17). */
public final class QuadraticLoss implements Loss {

    public static final QuadraticLoss INSTANCE = new QuadraticLoss();

    private QuadraticLoss() {
    }

    @Override
    public INDArray cost(INDArray a, INDArray y) {
        return Transforms.pow(a.sub(y), 2, false).sum(1).muli(0.5);   // (15), one value per sample
    }

    @Override
    public double totalCost(INDArray a, INDArray y) {
        return gradientAndCost(a, y, a.ulike());                      // (15), summed over the batch
    }

    @Override
    public INDArray gradient(INDArray a, INDArray y) {
        return a.sub(y);                                              // (17)
    }

    @Override
    public double gradientAndCost(INDArray a, INDArray y, INDArray out) {
        Elementwise.subtract(a, y, out);                              // (17) ∇a C = a − y, one pass
        return 0.5 * Blas.dot(out, out);                              // (15) Σ_n ½‖y − a‖² = ½ Σ (a − y)²
    }

    @Override
    public String name() {
        return "quadratic";
    }
}
