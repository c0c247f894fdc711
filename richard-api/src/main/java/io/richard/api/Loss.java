package io.richard.api;

import org.nd4j.linalg.api.ndarray.INDArray;

/** A cost function C(a, y) of a network output a and its target y, with its gradient ∇a C. */
public interface Loss {

    /** The cost of each sample of a mini-batch: a vector of length N for outputs of shape (N, classes). */
    INDArray cost(INDArray a, INDArray y);

    /** The summed cost of all samples of a mini-batch. */
    default double totalCost(INDArray a, INDArray y) {
        return cost(a, y).sumNumber().doubleValue();
    }

    /** ∇a C for each sample, the same shape as {@code a}. */
    INDArray gradient(INDArray a, INDArray y);

    /**
     * Writes ∇a C into {@code out} (the shape of {@code a}) and returns the summed cost of the mini-batch: the two
     * things a training step needs, which a loss may compute together.
     */
    default double gradientAndCost(INDArray a, INDArray y, INDArray out) {
        out.assign(gradient(a, y));
        return totalCost(a, y);
    }

    /** A short name for summaries, e.g. {@code "quadratic"}. */
    String name();
}
