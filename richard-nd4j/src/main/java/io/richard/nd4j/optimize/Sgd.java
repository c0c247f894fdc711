package io.richard.nd4j.optimize;

import io.richard.api.Optimizer;
import io.richard.api.Parameter;
import io.richard.nd4j.kernel.Blas;

/**
 * Plain stochastic gradient descent, (11): W ← W − λ ∇W C, b ← b − λ ∇b C, with the gradients summed over the
 * mini-batch as the reference sums them. It keeps no state.
 */
public final class Sgd implements Optimizer {

    @Override
    public void update(String key, Parameter p, double learningRate) {
        Blas.axpy(-learningRate, p.gradient(), p.value());                     // (11)
    }

    @Override
    public String name() {
        return "sgd";
    }
}
