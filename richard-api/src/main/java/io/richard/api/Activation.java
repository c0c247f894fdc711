package io.richard.api;

import org.nd4j.linalg.api.ndarray.INDArray;

/** An element-wise activation function f with its derivative f'. */
public interface Activation {

    /** a = f(z), as a new array. */
    INDArray apply(INDArray z);

    /**
     * f'(z), as a new array. Both z and a = f(z) are given so that functions whose derivative is cheaper in
     * terms of a (the sigmoid: σ'(z) = a(1 − a)) can use it.
     */
    INDArray derivative(INDArray z, INDArray a);

    /** A short name for summaries, e.g. {@code "sigmoid"}. */
    String name();
}
