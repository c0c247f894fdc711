package io.richard.nd4j;

import io.richard.api.Activation;
import io.richard.nd4j.layer.Blas;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The sigmoid σ(x) = 1 / (1 + e^{−x}) of (3), with σ'(z) = σ(z)(1 − σ(z)) = a (1 − a). */
public final class Sigmoid implements Activation {

    public static final Sigmoid INSTANCE = new Sigmoid();

    private Sigmoid() {
    }

    @Override
    public INDArray applyInPlace(INDArray z) {
        return Transforms.sigmoid(z, false);                 // (3)
    }

    @Override
    public INDArray derivative(INDArray a) {
        return a.rsub(1.0).muli(a);                          // σ'(z) = a (1 − a)
    }

    /** δ = ∇a C ⊙ a ⊙ (1 − a), into {@code out} without temporaries. */
    @Override
    public INDArray delta(INDArray gradA, INDArray a, INDArray out) {
        Blas.axpy(-1.0, a, out.assign(1.0));                          // 1 − a
        return out.muli(a).muli(gradA);                               // δ = ∇a C ⊙ a ⊙ (1 − a)
    }

    @Override
    public String name() {
        return "sigmoid";
    }
}
