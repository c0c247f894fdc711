package io.richard.api;

import java.util.List;

/** Updates parameters in place from the gradients of the last backward pass. */
public interface Optimizer {

    /**
     * Applies one update step to each parameter using its current gradient.
     *
     * @param parameters   the parameters of one layer
     * @param learningRate the step size λ for this layer in the current epoch
     */
    void update(List<Parameter> parameters, double learningRate);
}
