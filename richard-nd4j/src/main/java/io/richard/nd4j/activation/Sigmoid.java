package io.richard.nd4j.activation;

import io.richard.api.Activation;
import io.richard.nd4j.kernel.Elementwise;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The sigmoid σ(x) = 1 / (1 + e^{−x}) of (3), with σ'(z) = σ(z)(1 − σ(z)) = a (1 − a). */
public final class Sigmoid implements Activation {

    public static final Sigmoid INSTANCE = new Sigmoid();

    private Sigmoid() {
    }

    @Override
    public INDArray applyInPlace(INDArray z) {
        return Elementwise.sigmoid(z, z);                    // (3)
    }

    @Override
    public INDArray derivative(INDArray a) {
        return a.rsub(1.0).muli(a);                          // σ'(z) = a (1 − a)
    }

    /** δ = ∇a C ⊙ a ⊙ (1 − a), into {@code out} in two native passes, without temporaries. */
    @Override
    public INDArray delta(INDArray gradA, INDArray a, INDArray out) {
        Elementwise.timesOneMinus(a, out);                            // σ'(z) = a (1 − a)
        return Elementwise.multiply(out, gradA, out);                 // δ = ∇a C ⊙ σ'(z)
    }

    @Override
    public String name() {
        return "sigmoid";
    }
}
