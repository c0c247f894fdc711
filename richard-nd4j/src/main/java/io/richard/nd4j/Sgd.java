package io.richard.nd4j;

import java.util.List;
import io.richard.api.Optimizer;
import io.richard.api.Parameter;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Plain stochastic gradient descent, (11): W ← W − λ ∇W C, b ← b − λ ∇b C, with the gradients summed over the
 * mini-batch as the reference sums them.
 */
public final class Sgd implements Optimizer {

    @Override
    public void update(List<Parameter> parameters, double learningRate) {
        for (Parameter p : parameters) {
            Nd4j.getBlasWrapper().level1().axpy(p.value().length(), -learningRate, p.gradient(), p.value()); // (11)
        }
    }
}
